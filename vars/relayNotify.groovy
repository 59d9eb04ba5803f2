import groovy.transform.Field

@Field
static final Map DEFAULTS = [
    topicArn: '',          // SNS topic (the stack's AlarmTopicArn output) to publish to; '' sends none
    slackChannel: '',      // Slack channel (slack plugin configured in Jenkins); '' sends none
    message: '',           // the text; '' says job, build, result and link
    region: 'us-east-1',   // the region the role is assumed in (relay publishes in the topic's own region)
    timeoutMinutes: 5,     // the SNS publish
]

/** Tells people how the build ended: SNS (`relay notify`), Slack, or both. */
def call(Map args = [:]) {
    Map config = relaySupport.arguments('relayNotify', args, DEFAULTS)
    String result = currentBuild.currentResult
    String text = config.message ?: "${env.JOB_NAME} #${env.BUILD_NUMBER}: ${result} (${env.BUILD_URL})"
    if (config.topicArn) {
        Map vars = [RELAY_TOPIC_ARN: config.topicArn, RELAY_SUBJECT: "${env.JOB_NAME}: ${result}", RELAY_MESSAGE: text]
        relaySupport.frame(config, [config.region], vars) {
            sh 'relay notify --topic-arn "$RELAY_TOPIC_ARN" --subject "$RELAY_SUBJECT" --message "$RELAY_MESSAGE"'
        }
    }
    if (config.slackChannel) {
        slackSend(channel: config.slackChannel, color: result == 'SUCCESS' ? 'good' : 'danger', message: text)
    }
    if (!config.topicArn && !config.slackChannel) {
        echo 'relayNotify: no SNS topic or Slack channel configured; nothing sent'
    }
}
