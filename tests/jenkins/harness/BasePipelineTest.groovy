import org.junit.Before

/**
 * The base of every Groovy test, as JenkinsPipelineUnit's BasePipelineTest: a fresh helper per test with
 * the pipeline steps Relay uses registered, the shared library from vars/, and assertions on the calls.
 */
abstract class BasePipelineTest {
    static final File ROOT = new File(System.getProperty('relay.root', '.')).canonicalFile

    PipelineTestHelper helper

    @Before
    void setUp() {
        helper = new PipelineTestHelper()
        helper.registerSharedLibrary(new File(ROOT, 'vars'))
        helper.env.putAll(BRANCH_NAME: 'main', BUILD_NUMBER: '1', JOB_NAME: 'relay', WORKSPACE: '/workspace',
                          PATH: '/usr/bin:/bin', BUILD_URL: 'https://jenkins.example/job/relay/1/')
        registerDefaultSteps()
    }

    private void registerDefaultSteps() {
        Closure runBody = { Object[] args -> (args[-1] as Closure).call() }
        Closure nothing = { Object[] args -> null }
        ['echo', 'junit', 'archiveArtifacts', 'checkout', 'deleteDir', 'cleanWs', 'slackSend', 'snsPublish',
         'unstash', 'stash', 'milestone', 'writeFile', 'mkdir', 'git'].each { helper.registerAllowedMethod(it, nothing) }
        ['withAWS', 'withCredentials', 'lock', 'timeout', 'dir', 'script', 'node', 'retry', 'ansiColor']
            .each { helper.registerAllowedMethod(it, runBody) }
        // A scripted stage (inside `script {}`) runs and is listed among the stages run, as a declarative one.
        helper.registerAllowedMethod('stage') { Object[] args ->
            helper.stagesRun << (args[0] as String)
            (args[-1] as Closure).call()
        }
        // pipeline-utility-steps: the parsed document (Jenkins' JSON types are maps and lists too).
        helper.registerAllowedMethod('readJSON') { Object[] args -> new groovy.json.JsonSlurper().parseText((args[0] as Map).text as String) }
        helper.registerAllowedMethod('sh') { Object[] args -> args[0] instanceof Map && args[0].returnStatus ? 0 : '' }
        helper.registerAllowedMethod('error') { Object[] args -> throw new PipelineFailure(args[0] as String) }
        helper.registerAllowedMethod('unstable') { Object[] args -> helper.build.result = 'UNSTABLE' }
        helper.registerAllowedMethod('input') { Object[] args -> null }
        helper.registerAllowedMethod('pipeline') { Object[] args ->
            Block pipeline = new Block(helper, null)
            helper.within(pipeline, args[0] as Closure)
            pipeline.run()
        }
        helper.registerAllowedMethod('withEnv') { Object[] args ->
            Map<String, String> values = (args[0] as List<String>).collectEntries { String pair ->
                int cut = pair.indexOf('=')
                [(pair.substring(0, cut)): pair.substring(cut + 1)]
            }
            helper.withEnvironment(values, args[1] as Closure)
        }
        helper.registerAllowedMethod('parallel') { Object[] args ->
            (args[0] as Map).findAll { it.key != 'failFast' }.each { it.value.call() }
        }
        helper.registerAllowedMethod('catchError') { Object[] args ->
            try {
                (args[-1] as Closure).call()
            } catch (PipelineFailure failure) {
                helper.build.result = (args[0] as Map)?.buildResult ?: 'FAILURE'
            }
        }
        ['string', 'usernamePassword', 'file', 'sshUserPrivateKey', 'credentials'].each { String binding ->
            helper.registerAllowedMethod(binding) { Object[] args -> [(binding): args[0]] }
        }
    }

    /** Every call of `name`, in order. */
    List<MethodCall> calls(String name) {
        return helper.callStack.findAll { it.methodName == name }
    }

    /** The exact shell lines run, in order: what the tests compare against docs/interfaces.md. */
    List<String> shLines() {
        return calls('sh')*.text
    }

    /** The message of the `error` a closure raised (fails when it raised none). */
    String errorOf(Closure body) {
        try {
            body()
        } catch (PipelineFailure failure) {
            return failure.message
        }
        throw new AssertionError('expected the step to fail with error(...), but it succeeded')
    }

    void assertJobStatusSuccess() {
        assert helper.failures.isEmpty() && helper.build.currentResult == 'SUCCESS'
    }

    void printCallStack() {
        helper.callStack.each { println it }
    }
}
