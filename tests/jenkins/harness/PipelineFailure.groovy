/** What the `error` step throws (hudson.AbortException in Jenkins): the build fails with this message. */
class PipelineFailure extends RuntimeException {
    PipelineFailure(String message) { super(message) }
}
