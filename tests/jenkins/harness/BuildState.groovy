/** `currentBuild`: the result, which (as in Jenkins) can only get worse during a build. */
class BuildState {
    static final List<String> ORDER = ['SUCCESS', 'UNSTABLE', 'FAILURE', 'NOT_BUILT', 'ABORTED']

    String result
    String previousResult = 'SUCCESS'
    int number = 1
    String displayName = '#1'
    String description

    String getCurrentResult() {
        return result ?: 'SUCCESS'
    }

    void setResult(String value) {
        if (result == null || ORDER.indexOf(value) > ORDER.indexOf(result)) {
            result = value
        }
    }
}
