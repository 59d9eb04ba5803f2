/** A script called a step, directive or variable the harness does not know: a typo or an unlisted plugin. */
class UnknownStepException extends RuntimeException {
    UnknownStepException(String message) { super(message) }
}
