import org.junit.Test

class RelayNotifyTest extends StepTestCase {
    final String stepName = 'relayNotify'

    @Test
    void 'publishes to SNS and Slack when both are configured'() {
        helper.build.result = 'FAILURE'

        step(topicArn: 'arn:aws:sns:us-east-1:123456789012:relay-alarms', slackChannel: '#releases', role: 'notifier')

        String text = 'relay #1: FAILURE (https://jenkins.example/job/relay/1/)'
        assert calls('snsPublish')[0].args[0] == [topicArn: 'arn:aws:sns:us-east-1:123456789012:relay-alarms',
                                                  subject: 'relay: FAILURE', message: text]
        assert calls('withAWS')*.args*.getAt(0) == [[region: 'us-east-1'], [region: 'us-east-1', role: 'notifier']]
        assert calls('slackSend')[0].args[0] == [channel: '#releases', color: 'danger', message: text]
    }

    @Test
    void 'says so when nothing is configured'() {
        step([:])

        assert calls('echo')*.text == ['relayNotify: no SNS topic or Slack channel configured; nothing sent']
    }
}
