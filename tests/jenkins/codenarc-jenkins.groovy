/*
 * CodeNarc's Jenkins (CPS) rules, run by tests/jenkins/test_codenarc_cps.py. Each rule applies only to a file
 * named `Jenkinsfile` by default: widened here to the library steps and the job scripts (the test's file list
 * chooses the files; this only lets every rule see them). Every rule in the jar's rulesets/jenkins.xml must
 * be listed (the test checks), so a rule added by a CodeNarc upgrade is not silently limited to Jenkinsfile.
 */
String ours = '*.groovy,Jenkinsfile,*.Jenkinsfile'

ruleset {
    ruleset('rulesets/jenkins.xml') {
        ClassNotSerializable { applyToFileNames = ours }
        ClosureInGString { applyToFileNames = ours }
        CpsCallFromNonCpsMethod { applyToFileNames = ours }
        ExpressionInCpsMethodNotSerializable { applyToFileNames = ours }
        ForbiddenCallInCpsMethod { applyToFileNames = ours }
        ObjectOverrideOnlyNonCpsMethods { applyToFileNames = ours }
        ParameterOrReturnTypeNotSerializable { applyToFileNames = ours }
    }
}
