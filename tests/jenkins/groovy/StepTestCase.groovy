import org.junit.After
import org.junit.Before

/** A test of one vars/ step: the step's script, and sh answering what relay would print. */
abstract class StepTestCase extends BasePipelineTest {
    Map<String, Object> shAnswers = [:]

    abstract String getStepName()

    @Before
    void answerSh() {
        helper.registerAllowedMethod('sh') { Object[] args ->
            Map call = args[0] instanceof Map ? args[0] as Map : [script: args[0]]
            Object answer = shAnswers.find { call.script.contains(it.key) }?.value
            return call.returnStatus ? (answer ?: 0) : (call.returnStdout ? (answer ?: '') : null)
        }
    }

    /** A Jenkins log is no terminal: every relay call is told the width of its tables (relaySupport.CONSOLE). */
    @After
    void everyRelayCallHasAWidth() {
        calls('sh').findAll { it.text.startsWith('relay ') }.each { MethodCall call ->
            assert call.env.COLUMNS == '160': "${call.text} runs without COLUMNS"
        }
    }

    Object step(Map args) {
        return helper.loadScript("${ROOT}/vars/${stepName}.groovy").call(args)
    }
}
