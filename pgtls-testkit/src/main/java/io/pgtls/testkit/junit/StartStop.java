package io.pgtls.testkit.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Starts the annotated {@link Startable} field (a {@code TlsPostgres}, or a {@code PostgresServer}
 * from {@code PostgresServer.builder().build()}) before the tests and closes it after them: a
 * static field once for the test class, an instance field for each test. No other annotation is
 * needed.
 */
@Target(ElementType.FIELD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ExtendWith(StartStopExtension.class)
public @interface StartStop {}
