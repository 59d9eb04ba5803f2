import groovy.transform.Field

@Field
static final Map DEFAULTS = [
    testTarget: 'test',          // the service's make target that tests it, writing JUnit to reports/junit/
    test: '',                    // a closure run as the Test stage instead of `make <testTarget>`; '' none
    environments: [],            // relay.yaml's environments this build releases (file order kept); [] all of them
    productionBranch: 'main',    // the branch that may reach an environment with approvers, and every one after it
    canary: 0,                   // percent for the first traffic step where relay.yaml names approvers; 0 all at once
    agentLabel: '',              // the agents the build runs on; '' any agent
    workspaceBin: '',            // a workspace directory put first on PATH (a relay the build installs); '' none
    buildsToKeep: 30,            // older builds are deleted
    artifactsToKeep: '',         // how many builds keep their artifacts; '' every kept build
    topicArn: '',                // SNS topic told how the build ended; '' none
    slackChannel: '',            // Slack channel told how the build ended; '' none
    timeoutMinutes: 180,         // the whole build, approvals included
]

/**
 * The Relay pipeline of a service repository, as one call: `relayPipeline()` in its Jenkinsfile. The Test
 * stage runs, then the stages `relay config flow` derives from the repository's relay.yaml, each one relay
 * step. An environment with approvers (and every one after it) is reached only from productionBranch,
 * after an approval by those approvers (docs/security.md); what the names mean is the CLI's to check.
 */
def call(Map args = [:]) {
    Map config = relaySupport.arguments('relayPipeline', args, DEFAULTS)
    relaySupport.refuse('relayPipeline', args.containsKey('service'), "service is relay.yaml's, not an argument")
    boolean productionBranch = env.BRANCH_NAME ? env.BRANCH_NAME == config.productionBranch :
        env.GIT_BRANCH == "origin/${config.productionBranch}"
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
            // The environments' stages are known only once relay has read relay.yaml: scripted stages.
            stage('Release') { steps { script { releaseAll(config, productionBranch) } } }
        }
        post {
            always {
                junit(testResults: 'reports/junit/*.xml', allowEmptyResults: true)
                archiveArtifacts(artifacts: 'reports/**', allowEmptyArchive: true)
                relayNotify(relaySupport.account(config) + [topicArn: config.topicArn, slackChannel: config.slackChannel])
            }
        }
    }
}

/** Runs the flow's stages in order; a branch build stops before the first that needs the production branch. */
private void releaseAll(Map config, boolean productionBranch) {
    Map flow = [:]
    withEnv((relaySupport.CONSOLE + [RELAY_ENVIRONMENTS: config.environments.join(',')]).collect { key, value -> "${key}=${value}" }) {
        flow = readJSON(text: sh(returnStdout: true, script: 'relay config flow --environments "$RELAY_ENVIRONMENTS" --output json'))
    }
    String bundle = ''
    for (Map step in flow.stages) {
        if (step.production_branch && !productionBranch) {
            echo "relayPipeline: ${step.name} and the stages after it run from ${config.productionBranch} only"
            return
        }
        stage(step.name) {
            bundle = runStage(config, flow.service, step, bundle)
        }
    }
}

/** One stage of the flow as its relay step; returns the bundle the later releases use. */
private String runStage(Map config, String service, Map step, String bundle) {
    Map common = relaySupport.account(config) + [service: service]  // what every step of the flow takes
    Map target = common + [env: step.env, region: step.region]
    String approvers = step.approvers.join(',')
    switch (step.action) {
        case 'preview':
            relayStack(target + [action: 'diff'])
            break
        case 'approve':
            input(message: "Deploy the change set above to ${step.env}? Traffic moves only after its release plan is approved.",
                  ok: 'Deploy', submitter: approvers)
            break
        case 'deploy':
            relayStack(target + [action: 'deploy'])
            break
        case 'bundle':
            return relayBundle(target)
        case 'release':
            relayRelease(target + [bundle: bundle] + (approvers ? [canary: config.canary, approve: true, approvers: approvers] : [:]))
            break
        case 'smoke':
            relaySmoke(target)
            break
        case 'standby':
            relayStandby(common + [env: step.env, from: step.region, to: step.to])
            break
        case 'drift':
            relayDrift(common + [env: step.env, stack: step.stack, regions: [step.region]])
            break
        default:
            error("relayPipeline: stage ${step.name} has action '${step.action}', which this library does not run; " +
                  'upgrade the library to the relay it calls')
    }
    return bundle
}
