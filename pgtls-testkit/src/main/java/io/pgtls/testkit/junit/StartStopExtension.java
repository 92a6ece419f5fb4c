package io.pgtls.testkit.junit;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Starts {@link StartStop} fields and hands them to JUnit's ExtensionContext store, which closes
 * them when the class (static fields) or the test (instance fields) is done — the store closes
 * the AutoCloseable values it holds, in reverse order of insertion.
 */
final class StartStopExtension implements BeforeAllCallback, BeforeEachCallback {
  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(StartStopExtension.class);

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    startFields(context, context.getRequiredTestClass(), null);
  }

  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    startFields(context, context.getRequiredTestClass(), context.getRequiredTestInstance());
  }

  private static void startFields(ExtensionContext context, Class<?> testClass, Object instance) throws Exception {
    for (Field field : fields(testClass, instance == null)) {
      field.setAccessible(true);
      Object value = field.get(instance);
      if (!(value instanceof Startable)) {
        throw new ExtensionConfigurationException("@StartStop field " + field.getName() + " must hold a "
            + Startable.class.getSimpleName() + " (such as TlsPostgres), not " + (value == null ? "null" : value.getClass().getName()));
      }
      Startable startable = (Startable) value;
      ExtensionContext.Store store = context.getStore(NAMESPACE);
      String key = field.getDeclaringClass().getName() + "#" + field.getName() + "@" + System.identityHashCode(startable);
      if (store.get(key) != null) {
        continue; // already started for this context
      }
      startable.start();
      store.put(key, new Stopper(startable));
    }
  }

  private static List<Field> fields(Class<?> testClass, boolean statics) {
    List<Field> result = new ArrayList<>();
    for (Field f : AnnotationSupport.findAnnotatedFields(testClass, StartStop.class)) {
      if (Modifier.isStatic(f.getModifiers()) == statics) {
        result.add(f);
      }
    }
    return result;
  }

  /** Closes one started field when JUnit closes the store it sits in. */
  private static final class Stopper implements AutoCloseable {
    private final Startable startable;

    Stopper(Startable startable) {
      this.startable = startable;
    }

    @Override
    public void close() {
      startable.close();
    }
  }
}
