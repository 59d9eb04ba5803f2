/** Evaluates a declarative `when` block: every condition must hold; `beforeInput` and friends are flags. */
class WhenContext implements DirectiveContext {
    static final Set<String> FLAGS = ['beforeAgent', 'beforeInput', 'beforeOptions'] as Set
    static final Set<String> CONDITIONS = ['branch', 'expression', 'environment', 'allOf', 'anyOf', 'not',
                                           'changeRequest', 'buildingTag', 'tag', 'triggeredBy'] as Set

    final PipelineTestHelper helper
    final List<Boolean> results = []
    final Map<String, Boolean> flags = [:]

    WhenContext(PipelineTestHelper helper) {
        this.helper = helper
    }

    /** Reads the block: the flags are known afterwards, the conditions are evaluated by `holds()`. */
    static WhenContext read(PipelineTestHelper helper, Closure body) {
        WhenContext context = new WhenContext(helper)
        helper.within(context, body)
        return context
    }

    boolean holds() {
        return results.every()
    }

    boolean handles(String name) {
        return name in FLAGS || name in CONDITIONS
    }

    Object handle(String name, Object[] args) {
        if (name in FLAGS) {
            flags[name] = args[0] as boolean
        } else {
            results << evaluate(name, args)
        }
        return null
    }

    private boolean evaluate(String name, Object[] args) {
        Map<String, String> env = helper.env
        switch (name) {
            case 'branch': return glob(args[0] as String, env.BRANCH_NAME)
            case 'tag': return glob(args[0] as String, env.TAG_NAME)
            case 'buildingTag': return env.TAG_NAME != null
            case 'changeRequest': return env.CHANGE_ID != null
            case 'environment': return env[args[0].name as String] == args[0].value
            case 'triggeredBy': return args[0] in helper.causes
            case 'expression': return helper.runSteps(args[0] as Closure) as boolean
            case 'allOf': return read(helper, args[0] as Closure).results.every()
            case 'anyOf': return read(helper, args[0] as Closure).results.any()
            default: return !read(helper, args[0] as Closure).holds()  // 'not'
        }
    }

    private static boolean glob(String pattern, String value) {
        String regex = pattern.collect { it == '*' ? '.*' : java.util.regex.Pattern.quote(it) }.join()
        return value != null && value.matches(regex)
    }
}
