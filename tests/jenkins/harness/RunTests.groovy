import org.junit.runner.JUnitCore
import org.junit.runner.Result
import org.junit.runner.notification.Failure

/*
 * Runs Groovy test classes in one JVM and exits non-zero when any fails or none ran (`groovy` itself
 * exits 0 after failed JUnit tests). Usage: groovy -Drelay.root=REPO tests/jenkins/harness/RunTests.groovy FILE|DIR...
 */
GroovyClassLoader loader = new GroovyClassLoader(getClass().classLoader)
loader.addClasspath(new File(getClass().protectionDomain.codeSource.location.toURI()).parent)  // the harness
List<File> files = args.collectMany { String path ->
    File file = new File(path)
    file.directory ? file.listFiles().findAll { it.name.endsWith('Test.groovy') }.sort { it.name } : [file]
}
files*.parentFile.unique().each { loader.addClasspath(it.path) }  // shared test bases beside the tests
Class[] classes = files.collect { loader.parseClass(it) } as Class[]
Result result = JUnitCore.runClasses(classes)
result.failures.each { Failure failure ->
    // The test's own frames and the scripts' (vars/, Jenkinsfiles), without the JUnit and Groovy plumbing.
    List<String> frames = failure.trace.readLines().findAll { !(it =~ /at (org\.junit|org\.codehaus|java\.|jdk\.|groovy\.)/) }
    System.err.println("FAIL ${failure.testHeader}\n${frames.take(25).join('\n')}")
}
println "groovy tests: ${result.runCount} run, ${result.failureCount} failed, ${classes.length} classes"
System.exit(result.wasSuccessful() && result.runCount > 0 ? 0 : 1)
