/** One recorded call of a pipeline step or declarative directive, as JenkinsPipelineUnit's MethodCall. */
class MethodCall {
    String methodName
    Object[] args
    int stackDepth
    /** The environment the step saw (withEnv values included), so tests assert what `sh` received. */
    Map<String, String> env

    /** The first argument when it is a string, or its `script`/`message` key: what a reader looks for. */
    String getText() {
        Object first = args ? args[0] : null
        if (first instanceof Map) {
            return (first.script ?: first.message ?: first.toString()) as String
        }
        return first as String
    }

    @Override
    String toString() {
        String rendered = args.collect { it instanceof Closure ? 'groovy.lang.Closure' : it.inspect() }.join(', ')
        return "${'   ' * stackDepth}${methodName}(${rendered})"
    }
}
