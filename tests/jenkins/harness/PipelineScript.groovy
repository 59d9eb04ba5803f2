/**
 * Base class of every script the harness loads (vars/*.groovy, Jenkinsfiles): a call to anything the
 * script does not define goes to the helper, which runs a registered step or fails on an unknown one.
 */
abstract class PipelineScript extends Script {
    PipelineTestHelper helper

    def methodMissing(String name, Object args) {
        return helper.invoke(name, args as Object[])
    }

    def propertyMissing(String name) {
        return helper.property(name)
    }
}
