import org.junit.Before

/** A test of a whole pipeline script: relay answers as it would, parameters at the jobs' defaults. */
abstract class PipelineTestCase extends BasePipelineTest {
    static final String BUNDLE = 's3://relay-artifacts/bundles/ab12.zip'

    @Before
    void answerRelay() {
        helper.registerAllowedMethod('sh') { Object[] args ->
            Map call = args[0] instanceof Map ? args[0] as Map : [script: args[0]]
            return call.returnStdout ? "${BUNDLE}\n" : (call.returnStatus ? 0 : null)
        }
    }

    void failOn(String fragment) {
        helper.registerAllowedMethod('sh') { Object[] args ->
            Map call = args[0] instanceof Map ? args[0] as Map : [script: args[0]]
            if (call.script.contains(fragment)) {
                throw new PipelineFailure("script returned exit code 1: ${call.script}")
            }
            return call.returnStdout ? "${BUNDLE}\n" : (call.returnStatus ? 0 : null)
        }
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
