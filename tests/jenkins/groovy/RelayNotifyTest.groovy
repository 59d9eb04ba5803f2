import org.junit.Test

class RelayNotifyTest extends StepTestCase {
    final String stepName = 'relayNotify'

    @Test
    void 'publishes to SNS and Slack when both are configured'() {
        helper.build.result = 'FAILURE'

        step(topicArn: 'arn:aws:sns:us-east-1:123456789012:relay-alarms', slackChannel: '#releases', role: 'relay-notifier')

        String text = 'relay #1: FAILURE (https://jenkins.example/job/relay/1/)'
        assert shLines() == ['relay notify --topic-arn "$RELAY_TOPIC_ARN" --subject "$RELAY_SUBJECT" --message "$RELAY_MESSAGE"']
        assert calls('sh')[0].env.subMap(['RELAY_TOPIC_ARN', 'RELAY_SUBJECT', 'RELAY_MESSAGE']) ==
               [RELAY_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:relay-alarms', RELAY_SUBJECT: 'relay: FAILURE',
                RELAY_MESSAGE: text]
        assert calls('withAWS')*.args*.getAt(0) == [[region: 'us-east-1', role: 'relay-notifier']]
        assert calls('lock').isEmpty()
        assert calls('snsPublish').isEmpty()
        assert calls('slackSend')[0].args[0] == [channel: '#releases', color: 'danger', message: text]
    }

    @Test
    void 'says so when nothing is configured'() {
        step([:])

        assert calls('echo')*.text == ['relayNotify: no SNS topic or Slack channel configured; nothing sent']
        assert shLines() == []
    }

    @Test
    void 'names the step and the key'() {
        assert errorOf { step(topic: 'arn') }.startsWith('relayNotify: unknown argument(s): topic (')
    }
}
