package io.pgtls.tls;

/**
 * What is wrong with the contents of a file, without the file name. The public entry points
 * turn it into a {@link TlsMaterialException} that names the file.
 */
final class MaterialProblem extends Exception {

  private static final long serialVersionUID = 1L;

  MaterialProblem(String problem) {
    super(problem);
  }

  MaterialProblem(String problem, Throwable cause) {
    super(problem, cause);
  }
}
