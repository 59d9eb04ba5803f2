import org.junit.Before

/**
 * A test of a whole pipeline script: `relay config ...` runs the real CLI on `relayConfig` (what the
 * pipeline reads from relay.yaml is what Python derives), every other relay line answers as relay would,
 * parameters at the jobs' defaults.
 */
abstract class PipelineTestCase extends BasePipelineTest {
    static final String BUNDLE = 's3://relay-artifacts/bundles/ab12.zip'
    static final String PYTHON = System.getProperty('relay.python', 'python3')

    /** The relay.yaml the pipeline's relay reads: Relay's own unless a test points elsewhere. */
    File relayConfig = new File(ROOT, 'relay.yaml')

    @Before
    void answerRelay() {
        failOn(null)
    }

    /** relay answers every line, but a line containing `fragment` fails as a failing command does. */
    void failOn(String fragment) {
        helper.registerAllowedMethod('sh') { Object[] args ->
            Map call = args[0] instanceof Map ? args[0] as Map : [script: args[0]]
            if (fragment && call.script.contains(fragment)) {
                throw new PipelineFailure("script returned exit code 1: ${call.script}")
            }
            if (call.script.startsWith('relay config ')) {
                return relay(call.script)
            }
            return call.returnStdout ? "${BUNDLE}\n" : (call.returnStatus ? 0 : null)
        }
    }

    /** Runs a `relay config ...` line with the real CLI, its variables from the step's environment. */
    String relay(String line) {
        List<String> words = (line =~ /"[^"]*"|\S+/).collect { String word ->
            word.replaceAll(/^"|"$/, '').replaceAll(/\$(RELAY_\w+)/) { all, name -> helper.env[name] ?: '' }
        }
        List<String> command = [PYTHON, '-m', 'relay', '--config', relayConfig.path] + words.drop(1)
        Process process = command.execute(null, ROOT)
        String out = process.inputStream.text
        String err = process.errorStream.text
        if (process.waitFor() != 0) {
            throw new PipelineFailure("script returned exit code ${process.exitValue()}: ${line}\n${err}")
        }
        return out
    }

    /** The relay lines run, as the shell expands them (variables from the step's environment, no quotes). */
    List<String> relayRuns() {
        return calls('sh').findAll { it.text.contains('relay ') }.collect { call ->
            call.text.replaceAll(/\$(RELAY_\w+)/) { all, name -> call.env[name] }.replace('"', '')
        }
    }

    /** What a pipeline directive (`options`, `agent`) recorded, keyword -> arguments, nested calls included. */
    Map<String, List> directive(String name) {
        MethodCall block = calls(name)[0]
        int at = helper.callStack.indexOf(block)
        return helper.callStack.drop(at + 1).takeWhile { it.stackDepth > block.stackDepth }
            .collectEntries { [(it.methodName): it.args.toList()] }
    }

    /** The `input` steps run (the stage directive `input { ... }` is recorded as read, with a closure). */
    List<Map> approvals() {
        return calls('input').findAll { it.args[0] instanceof Map }*.args*.getAt(0)
    }
}
