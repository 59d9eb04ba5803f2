/**
 * A declarative `pipeline` (name null) or `stage`: read first, run afterwards with Jenkins' semantics:
 * `when` after the stage's `input` unless `beforeInput true`, later stages skipped after a failure,
 * `post` conditions run in Jenkins' order against the build result.
 */
class Block implements DirectiveContext {
    static final Set<String> PIPELINE_KEYWORDS = ['agent', 'options', 'environment', 'parameters', 'triggers',
                                                  'tools', 'stages', 'post'] as Set
    static final Set<String> STAGE_KEYWORDS = ['agent', 'options', 'environment', 'tools', 'when', 'input', 'steps',
                                               'stages', 'parallel', 'post', 'failFast'] as Set
    static final Map<String, List<String>> RECORDED = [
        agent: ['label', 'node', 'docker', 'dockerfile'],
        options: ['buildDiscarder', 'logRotator', 'disableConcurrentBuilds', 'timeout', 'timestamps', 'retry', 'lock',
                  'skipDefaultCheckout', 'ansiColor', 'quietPeriod', 'preserveStashes', 'disableResume',
                  'durabilityHint', 'skipStagesAfterUnstable', 'checkoutToSubdirectory', 'parallelsAlwaysFailFast'],
        parameters: ['string', 'booleanParam', 'choice', 'text', 'password'],
        triggers: ['cron', 'pollSCM', 'githubPush', 'upstream'],
        tools: ['jdk', 'maven', 'gradle', 'nodejs'],
        input: ['message', 'ok', 'submitter', 'id', 'parameters', 'submitterParameter'],
        post: PostConditions.ORDER,
        stages: ['stage'],
        parallel: ['stage'],
    ]

    final PipelineTestHelper helper
    final String name
    final Map<String, Object> directives = [:]
    List<Block> stages = []

    Block(PipelineTestHelper helper, String name) {
        this.helper = helper
        this.name = name
    }

    String getBlock() {
        return name == null ? 'pipeline' : "stage('${name}')"
    }

    boolean handles(String keyword) {
        return keyword in (name == null ? PIPELINE_KEYWORDS : STAGE_KEYWORDS)
    }

    Object handle(String keyword, Object[] args) {
        Object value = args[0]
        if (keyword in ['stages', 'parallel']) {
            stages = read(keyword, value as Closure).entries.collect { entry -> child(entry[1][0] as String, entry[1][1] as Closure) }
        } else if (value instanceof Closure && RECORDED.containsKey(keyword)) {
            directives[keyword] = read(keyword, value as Closure)
        } else {
            directives[keyword] = value  // agent any, when/steps/environment closures, failFast true
        }
        return null
    }

    /** The recorded entries of a directive (`options`, `parameters`, `post`...), empty when absent. */
    List<List> entries(String keyword) {
        return (directives[keyword] as RecordingContext)?.entries ?: []
    }

    void run() {
        Map<String, String> environment = [:]
        if (directives.environment) {
            environment = EnvironmentBlock.collect(helper, directives.environment as Closure)
        }
        if (name == null) {
            helper.applyParameterDefaults(entries('parameters'))
            helper.withEnvironment(environment) { runBody() }
        } else {
            runStage(environment)
        }
    }

    private void runStage(Map<String, String> environment) {
        if (helper.build.currentResult in ['FAILURE', 'ABORTED']) {
            helper.skippedStages << name
            return
        }
        WhenContext condition = directives.when ? WhenContext.read(helper, directives.when as Closure) : null
        if (condition?.flags?.beforeInput && !condition.holds()) {
            helper.skippedStages << name
            return
        }
        helper.recorded('stage', [name] as Object[]) {
            helper.guarded {
                if (directives.input) {
                    helper.invoke('input', [(directives.input as RecordingContext).asMap()] as Object[])
                }
                if (condition && !condition.flags.beforeInput && !condition.holds()) {
                    helper.skippedStages << name
                    return
                }
                helper.stagesRun << name
                helper.withEnvironment(environment) { runBody() }
            }
        }
    }

    private void runBody() {
        helper.guarded {
            if (directives.steps) {
                helper.runSteps(directives.steps as Closure)
            }
            stages.each { it.run() }
        }
        PostConditions.run(helper, entries('post'))
    }

    private RecordingContext read(String keyword, Closure body) {
        RecordingContext context = new RecordingContext(keyword, RECORDED[keyword])
        helper.within(context, body)
        return context
    }

    private Block child(String stageName, Closure body) {
        Block stage = new Block(helper, stageName)
        helper.within(stage, body)
        return stage
    }
}
