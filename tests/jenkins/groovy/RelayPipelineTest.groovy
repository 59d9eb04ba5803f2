import org.junit.Test

class RelayPipelineTest extends PipelineTestCase {
    static final List<String> STAGING = ['Test', 'Bundle', 'Deploy staging', 'Release staging', 'Smoke staging', 'Drift gate']
    static final List<String> PRODUCTION = ['Preview production', 'Production', 'Deploy production', 'Bundle production',
                                            'Release production', 'Smoke production', 'Deploy standby', 'Release standby']

    void run(Map args) {
        helper.loadScript("${ROOT}/vars/relayPipeline.groovy").call(args)
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
            [timestamps: [], disableConcurrentBuilds: [[abortPrevious: true]], timeout: [[time: 180, unit: 'MINUTES']],
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
        run(role: 'deployer', roleAccount: '123456789012', canary: 10, approvers: 'release-managers')

        assert calls('withAWS')*.args*.getAt(0)*.role.unique() == ['deployer']
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
    void 'rejects a typo before anything runs'() {
        assert errorOf { run(stagingEnvironment: 'qa') }.startsWith('relayPipeline: unknown argument(s): stagingEnvironment (')
        assert helper.stagesRun.isEmpty()
    }
}
