/** The `post` conditions in the order Jenkins runs them, and which of them apply to a result. */
class PostConditions {
    static final List<String> ORDER = ['always', 'changed', 'fixed', 'regression', 'aborted', 'failure', 'success',
                                       'unstable', 'unsuccessful', 'cleanup']

    static void run(PipelineTestHelper helper, List<List> entries) {
        ORDER.each { condition ->
            entries.findAll { it[0] == condition }.each { entry ->
                if (applies(condition, helper.build)) {
                    helper.guarded { helper.runSteps(entry[1] as Closure) }
                }
            }
        }
    }

    static boolean applies(String condition, BuildState build) {
        String result = build.currentResult
        String previous = build.previousResult
        switch (condition) {
            case ['always', 'cleanup']: return true
            case 'changed': return result != previous
            case 'fixed': return result == 'SUCCESS' && previous in ['FAILURE', 'UNSTABLE']
            case 'regression': return previous == 'SUCCESS' && result != 'SUCCESS'
            case 'unsuccessful': return result != 'SUCCESS'
            default: return result == condition.toUpperCase()
        }
    }
}
