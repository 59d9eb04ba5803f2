import groovy.transform.Field

@Field
static final Map DEFAULTS = [
    testTarget: 'test',          // the service's make target that tests it, writing JUnit to reports/junit/
    test: '',                    // a closure run as the Test stage instead of `make <testTarget>`; '' none
    stagingEnv: 'staging',       // released on every build
    productionEnv: 'prod',       // released from productionBranch only, after approval
    productionBranch: 'main',    // the branch released to production
    primary: 'us-east-1',        // where releases go live
    standby: 'us-west-2',        // kept on the production release for DR
    canary: 0,                   // percent for the first traffic step in production; 0 shifts all at once
    approvers: null,             // required: who may approve production (Jenkins users or groups, comma-separated)
    agentLabel: '',              // the agents the build runs on; '' any agent
    workspaceBin: '',            // a workspace directory put first on PATH (a relay the build installs); '' none
    buildsToKeep: 30,            // older builds are deleted
    artifactsToKeep: '',         // how many builds keep their artifacts; '' every kept build
    topicArn: '',                // SNS topic told how the build ended; '' none
    slackChannel: '',            // Slack channel told how the build ended; '' none
    timeoutMinutes: 180,         // the whole build, approvals included
]

/**
 * The default Relay pipeline of a service repository, as one call: `relayPipeline(approvers: ...)` in its
 * Jenkinsfile. Production is reached only through its front door: from productionBranch, after an approval
 * by `approvers`; staging can never be the production environment (docs/security.md).
 */
def call(Map args = [:]) {
    Map config = relaySupport.arguments('relayPipeline', args, DEFAULTS,
                                        [stagingEnv: relaySupport.ENVIRONMENTS, productionEnv: relaySupport.ENVIRONMENTS,
                                         primary: relaySupport.REGIONS, standby: relaySupport.REGIONS])
    relaySupport.refuse('relayPipeline', config.stagingEnv == config.productionEnv,
                        "stagingEnv '${config.stagingEnv}' is the production environment: production is released " +
                        "from ${config.productionBranch} only, after approval")
    relaySupport.refuse('relayPipeline', config.primary == config.standby,
                        "primary and standby are both ${config.primary}: the standby is the other region")
    boolean productionBranch = env.BRANCH_NAME ? env.BRANCH_NAME == config.productionBranch :
        env.GIT_BRANCH == "origin/${config.productionBranch}"
    Map account = relaySupport.account(config)
    Map staging = account + [env: config.stagingEnv, region: config.primary]
    Map production = account + [env: config.productionEnv, region: config.primary]
    Map standby = account + [env: config.productionEnv, region: config.standby]
    String bundle = ''
    pipeline {
        agent { label config.agentLabel }  // '' is any agent
        options {
            timestamps()
            disableConcurrentBuilds()  // queued, never aborted: a build may be in a stack update or a release
            timeout(time: config.timeoutMinutes, unit: 'MINUTES')
            buildDiscarder(logRotator(numToKeepStr: config.buildsToKeep as String,
                                      artifactNumToKeepStr: config.artifactsToKeep as String))
        }
        environment {
            // A relay the build installs into the workspace (workspaceBin) comes first; else the agent's.
            PATH = "${config.workspaceBin ? "${env.WORKSPACE}/${config.workspaceBin}:" : ''}${env.PATH}"
        }
        stages {
            stage('Test') {
                steps {
                    script {
                        if (config.test) {
                            config.test.call()
                        } else {
                            withEnv(["RELAY_TEST_TARGET=${config.testTarget}"]) {
                                sh 'make "$RELAY_TEST_TARGET"'
                            }
                        }
                    }
                }
            }
            stage('Bundle') { steps { script { bundle = relayBundle(staging) } } }
            stage('Deploy staging') { steps { relayStack(staging + [action: 'deploy']) } }
            stage('Release staging') { steps { relayRelease(staging + [bundle: bundle]) } }
            stage('Smoke staging') { steps { relaySmoke(staging) } }
            stage('Drift gate') { steps { relayDrift(account + [env: config.stagingEnv, regions: [config.primary]]) } }
            stage('Preview production') {
                when { expression { productionBranch } }
                steps { relayStack(production + [action: 'diff']) }
            }
            stage('Production') {
                when {
                    beforeInput true  // else every branch would wait for an approval before being skipped
                    // BRANCH_NAME in multibranch jobs; a plain pipeline job sets GIT_BRANCH.
                    expression { productionBranch }
                }
                input {
                    message 'Deploy the change set above to production? Traffic moves only after its release plan is approved.'
                    ok 'Deploy'
                    submitter config.approvers
                }
                stages {
                    stage('Deploy production') { steps { relayStack(production + [action: 'deploy']) } }
                    stage('Bundle production') { steps { script { bundle = relayBundle(production) } } }
                    stage('Release production') {
                        steps { relayRelease(production + [bundle: bundle, canary: config.canary, approve: true, approvers: config.approvers]) }
                    }
                    stage('Smoke production') { steps { relaySmoke(production) } }
                    stage('Deploy standby') { steps { relayStack(standby + [action: 'deploy']) } }
                    stage('Release standby') {
                        steps { relayStandby(account + [env: config.productionEnv, from: config.primary, to: config.standby]) }
                    }
                }
            }
        }
        post {
            always {
                junit(testResults: 'reports/junit/*.xml', allowEmptyResults: true)
                archiveArtifacts(artifacts: 'reports/**', allowEmptyArchive: true)
                relayNotify(account + [topicArn: config.topicArn, slackChannel: config.slackChannel,
                                       region: config.primary])
            }
        }
    }
}
