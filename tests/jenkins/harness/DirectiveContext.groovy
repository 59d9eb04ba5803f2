/**
 * A declarative block being read (pipeline, stages, options, when...). While one is open, only its own
 * keywords are accepted: a step written where Jenkins expects a directive fails as it would in Jenkins.
 */
interface DirectiveContext {
    boolean handles(String name)

    Object handle(String name, Object[] args)
}
