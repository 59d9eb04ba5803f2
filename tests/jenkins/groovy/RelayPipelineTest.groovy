import org.junit.Test

class RelayPipelineTest extends PipelineTestCase {
    static final List<String> STAGING = ['Test', 'Bundle', 'Deploy staging', 'Release staging', 'Smoke staging', 'Drift gate']
    static final List<String> PRODUCTION = ['Preview production', 'Production', 'Deploy production', 'Bundle production',
                                            'Release production', 'Smoke production', 'Deploy standby', 'Release standby']

    void run(Map args) {
        helper.loadScript("${ROOT}/vars/relayPipeline.groovy").call([approvers: 'release-managers'] + args)
    }

    @Test
    void 'tests with make, then staging, then production behind an approval, then the standby'() {
        run([:])

        assertJobStatusSuccess()
        assert helper.stagesRun == STAGING + PRODUCTION
        assert shLines()[0] == 'make "$RELAY_TEST_TARGET"'
        assert calls('sh')[0].env.RELAY_TEST_TARGET == 'test'
        assert !calls('sh')[0].env.containsKey('CI')
    }

    @Test
    void 'any agent, the agent PATH and the build history of a service by default'() {
        run([:])

        assert directive('agent') == [label: ['']]
        assert directive('options').subMap(['timestamps', 'disableConcurrentBuilds', 'timeout', 'buildDiscarder']) ==
            [timestamps: [], disableConcurrentBuilds: [], timeout: [[time: 180, unit: 'MINUTES']],
             buildDiscarder: [[logRotator: [numToKeepStr: '30', artifactNumToKeepStr: '']]]]
        assert calls('sh')*.env*.PATH.unique() == ['/usr/bin:/bin']
    }

    @Test
    void 'the agents, a relay installed in the workspace and the build history as given'() {
        run(agentLabel: 'relay', workspaceBin: '.venv/bin', buildsToKeep: 50, artifactsToKeep: 10)

        assert directive('agent') == [label: ['relay']]
        assert directive('options').buildDiscarder == [[logRotator: [numToKeepStr: '50', artifactNumToKeepStr: '10']]]
        assert calls('sh')*.env*.PATH.unique() == ['/workspace/.venv/bin:/usr/bin:/bin']
    }

    @Test
    void 'a test closure replaces the make target'() {
        List<String> ran = []

        run(test: { ran << helper.env.PATH })

        assert ran == ['/usr/bin:/bin']
        assert helper.stagesRun == STAGING + PRODUCTION
        assert !shLines().any { it.startsWith('make') }
    }

    @Test
    void 'passes the account, the canary and the approvers down to the steps'() {
        run(role: 'relay-deployer', roleAccount: '123456789012', canary: 10, approvers: 'release-managers')

        assert calls('withAWS')*.args*.getAt(0)*.role.unique() == ['relay-deployer']
        assert relayRuns().contains("relay release --env prod --region us-east-1 --bundle ${BUNDLE} --canary 10 --hold-at-ready".toString())
        assert approvals()*.submitter == ['release-managers', 'release-managers']
    }

    @Test
    void 'another production branch'() {
        helper.env.BRANCH_NAME = 'release'

        run(productionBranch: 'release')

        assert helper.stagesRun.contains('Release production')
    }

    @Test
    void 'production approval needs approvers: the step fails without them'() {
        assert errorOf { run(approvers: '') }.startsWith('relayPipeline: missing argument(s): approvers (')
        assert helper.stagesRun.isEmpty()
    }

    @Test
    void 'staging can never be the production environment, on any branch'() {
        ['feature/x', 'main'].each { branch ->
            helper.env.BRANCH_NAME = branch
            assert errorOf { run(stagingEnv: 'prod') } ==
                "relayPipeline: stagingEnv 'prod' is the production environment: production is released from main only, after approval"
        }
        assert helper.stagesRun.isEmpty() && calls('sh').isEmpty()
    }

    @Test
    void 'a branch never reaches the production stages'() {
        helper.env.BRANCH_NAME = 'feature/x'

        run([:])

        assert helper.stagesRun == STAGING
        assert !relayRuns().any { it.contains('--env prod') }
    }

    @Test
    void 'regions Relay does not know, or the same region twice, are refused'() {
        assert errorOf { run(primary: 'eu-west-1') }.contains("primary must be one of us-east-1, us-west-2, not 'eu-west-1'")
        assert errorOf { run(standby: 'us-east-1') } ==
            'relayPipeline: primary and standby are both us-east-1: the standby is the other region'
    }

    @Test
    void 'only relay-* roles in the allowed accounts'() {
        assert errorOf { run(role: 'arn:aws:iam::999999999999:role/relay-deployer') }.contains(
            "role 'arn:aws:iam::999999999999:role/relay-deployer' is not a relay-* role in an allowed account (123456789012)")
        assert errorOf { run(role: 'Admin') }.contains("role 'Admin' is not a relay-* role")
        assert errorOf { run(role: 'relay-deployer', roleAccount: '999999999999') }.contains(
            "roleAccount '999999999999' is not an allowed account (123456789012)")
        run(role: 'arn:aws:iam::123456789012:role/ci/relay-deployer')
        assert calls('withAWS')*.args*.getAt(0)*.role.unique() == ['arn:aws:iam::123456789012:role/ci/relay-deployer']
    }

    @Test
    void 'rejects a typo before anything runs'() {
        assert errorOf { run(stagingEnvironment: 'qa') }.startsWith('relayPipeline: unknown argument(s): stagingEnvironment (')
        assert helper.stagesRun.isEmpty()
    }
}
