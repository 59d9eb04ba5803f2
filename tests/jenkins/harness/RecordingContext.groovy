/**
 * A declarative block whose keywords are only recorded, in order: options, parameters, triggers, agent,
 * input, post conditions, and the `stage` entries of a `stages` or `parallel` block. A keyword outside
 * the block's list is an error (Jenkins rejects it when it compiles the pipeline).
 */
class RecordingContext implements DirectiveContext {
    final String block
    final Set<String> keywords
    final List<List> entries = []

    RecordingContext(String block, Collection<String> keywords) {
        this.block = block
        this.keywords = keywords as Set
    }

    boolean handles(String name) {
        return name in keywords
    }

    /** Records the keyword; returns it as a map so a nested value (`buildDiscarder(logRotator(...))`) reads. */
    Object handle(String name, Object[] args) {
        Object value = args.length == 1 ? args[0] : args.toList()
        entries << [name, value]
        return [(name): value]
    }

    /** The entries as a map (the last wins): the natural view of options, agent and input. */
    Map<String, Object> asMap() {
        return entries.collectEntries { it }
    }
}
