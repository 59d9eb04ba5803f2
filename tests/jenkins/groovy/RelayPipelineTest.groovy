import org.junit.Test

class RelayPipelineTest extends PipelineTestCase {
    void run(Map args) {
        helper.loadScript("${ROOT}/vars/relayPipeline.groovy").call(args)
    }

    @Test
    void 'runs the stages of the Jenkinsfile that a service repository needs, in the same order'() {
        run([:])

        assertJobStatusSuccess()
        assert helper.stagesRun == JenkinsfileTest.STAGING.drop(2) + JenkinsfileTest.PRODUCTION
        assert shLines()[0] == 'make "$RELAY_TEST_TARGET"'
        assert calls('sh')[0].env.RELAY_TEST_TARGET == 'test'
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
