import groovy.json.JsonSlurper
import org.junit.Test

/**
 * The groups the controller's authorization matrix is rendered from (scripts/relay/jenkins/access.json) are
 * the submitters the pipelines' approvals require: release managers approve production, on-call approves DR.
 */
class JenkinsAccessTest extends PipelineTestCase {
    static Map<String, String> groups() {
        return new JsonSlurper().parse(new File("${ROOT}/scripts/relay/jenkins/access.json")).groups as Map
    }

    @Test
    void 'production in the Jenkinsfile waits for the release managers of access json'() {
        helper.runScript("${ROOT}/Jenkinsfile")

        assertJobStatusSuccess()
        assert approvals()*.submitter.unique() == [groups().releaseManagers]
    }

    @Test
    void 'an executed DR run waits for the on-call group of access json'() {
        helper.params.putAll([ACTION: 'failback', ENVIRONMENT: 'prod', FROM_REGION: 'us-east-1', TO_REGION: 'us-west-2',
                              EXECUTE: true, CONFIRM: 'prod-us-east-1', FORCE_RPO: '',
                              REPOSITORY: 'https://github.com/example/relay.git'])
        helper.runScript("${ROOT}/jobs/pipelines/dr.Jenkinsfile")

        assertJobStatusSuccess()
        assert approvals()*.submitter == [groups().onCall]
    }
}
