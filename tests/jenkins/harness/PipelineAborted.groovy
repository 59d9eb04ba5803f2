/** What a rejected `input` throws (FlowInterruptedException in Jenkins): the build is ABORTED. */
class PipelineAborted extends RuntimeException {
    PipelineAborted(String message) { super(message) }
}
