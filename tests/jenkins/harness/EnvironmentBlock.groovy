/**
 * The delegate of an `environment { NAME = value }` block: assignments are collected; reads fall through
 * to the script, so `"${env.WORKSPACE}/bin"` and `credentials('id')` resolve as in Jenkins.
 */
class EnvironmentBlock {
    final Map<String, String> values = [:]

    void setProperty(String name, Object value) {
        values[name] = value as String
    }

    Object getProperty(String name) {
        throw new MissingPropertyException(name, EnvironmentBlock)
    }

    /** Evaluated when the block runs (as Jenkins does), so steps such as `credentials` are available. */
    static Map<String, String> collect(PipelineTestHelper helper, Closure body) {
        EnvironmentBlock block = new EnvironmentBlock()
        Closure reader = body.rehydrate(block, body.owner, body.thisObject)
        reader.resolveStrategy = Closure.DELEGATE_FIRST
        helper.runSteps(reader)
        return block.@values  // getProperty is the fall-through to the script
    }
}
