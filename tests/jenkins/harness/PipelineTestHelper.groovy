import org.codehaus.groovy.control.CompilerConfiguration
import org.codehaus.groovy.control.customizers.ImportCustomizer
import org.codehaus.groovy.runtime.InvokerHelper

/**
 * The recording interpreter, modelled on JenkinsPipelineUnit's PipelineTestHelper: loads scripts with
 * PipelineScript as base class, runs registered steps (`registerAllowedMethod`), the shared library's
 * `vars/` steps (`registerSharedLibrary`) and the declarative blocks, records every call in `callStack`,
 * and fails on anything unknown.
 */
class PipelineTestHelper {
    /** Marks "steps may run here" on the context stack (inside `steps`, `post`, `expression`...). */
    private static final Object STEPS = new Object()
    private static final Map<String, Class> COMPILED = [:]

    final Binding binding = new Binding()
    final List<MethodCall> callStack = []
    final List<String> stagesRun = []
    final List<String> skippedStages = []
    final List<Throwable> failures = []
    final List<String> causes = []
    final BuildState build = new BuildState()
    private final Map<String, Closure> allowedMethods = [:]
    private final Map<String, File> libraryFiles = [:]
    private final Map<String, PipelineScript> libraryScripts = [:]
    private final Deque<Object> contexts = new ArrayDeque<>()
    private final GroovyShell shell
    private int depth = 0

    PipelineTestHelper() {
        CompilerConfiguration configuration = new CompilerConfiguration()
        configuration.scriptBaseClass = PipelineScript.name
        // Jenkins imports @NonCPS and @Library into every pipeline script; so does the harness.
        configuration.addCompilationCustomizers(new ImportCustomizer().addImports(
            'com.cloudbees.groovy.cps.NonCPS', 'org.jenkinsci.plugins.workflow.libs.Library'))
        shell = new GroovyShell(getClass().classLoader, binding, configuration)
        binding.setVariable('env', [:])
        binding.setVariable('params', [:])
        binding.setVariable('currentBuild', build)
        binding.setVariable('scm', [$class: 'GitSCM'])
    }

    Map<String, String> getEnv() {
        return binding.getVariable('env') as Map<String, String>
    }

    Map<String, Object> getParams() {
        return binding.getVariable('params') as Map<String, Object>
    }

    void registerAllowedMethod(String name, Closure implementation) {
        allowedMethods[name] = implementation
    }

    /** Makes every vars/<name>.groovy callable as the step `name(...)`, loaded on first use. */
    void registerSharedLibrary(File varsDirectory) {
        varsDirectory.eachFileMatch(~/.*\.groovy/) { File file -> libraryFiles[file.name - '.groovy'] = file }
    }

    /**
     * A fresh script instance bound to this helper. Each file is compiled once per JVM (compiling is most
     * of a test's time); a vars/ step's class is named after it, a Jenkinsfile's is WorkflowScript.
     */
    PipelineScript loadScript(String path) {
        File file = new File(path).canonicalFile
        if (!COMPILED.containsKey(file.path)) {
            String className = file.name.endsWith('.groovy') ? file.name - '.groovy' : 'WorkflowScript'
            COMPILED[file.path] = shell.parse(file.text, className).getClass()
        }
        Class compiled = COMPILED[file.path]
        PipelineScript script = InvokerHelper.createScript(compiled, binding) as PipelineScript
        script.setHelper(this)  // a plain assignment would land in the binding (Script.setProperty)
        return script
    }

    /** Runs a Jenkinsfile; a failed build is recorded (currentBuild.result, failures), not thrown. */
    void runScript(String path) {
        PipelineScript script = loadScript(path)
        guarded { script.run() }
    }

    Object invoke(String name, Object[] args) {
        Object context = contexts.peek()
        if (context instanceof DirectiveContext) {
            if (!context.handles(name)) {
                throw new UnknownStepException("'${name}' is not allowed in a ${context.block} block")
            }
            return recorded(name, args) { context.handle(name, args) }
        }
        if (allowedMethods.containsKey(name)) {
            return recorded(name, args) { allowedMethods[name].call(args) }
        }
        if (libraryFiles.containsKey(name)) {
            return recorded(name, args) { library(name).invokeMethod('call', args) }
        }
        throw new UnknownStepException("unknown pipeline step '${name}': a typo, or register it with registerAllowedMethod")
    }

    Object property(String name) {
        if (name in ['any', 'none'] && contexts.peek() instanceof Block) {
            return name  // `agent any`
        }
        if (libraryFiles.containsKey(name)) {
            return library(name)  // `relaySupport.arguments(...)`: a global variable's own methods
        }
        throw new UnknownStepException("unknown variable '${name}'")
    }

    Object recorded(String name, Object[] args, Closure action) {
        callStack << new MethodCall(methodName: name, args: args, stackDepth: depth, env: new LinkedHashMap(env))
        depth++
        try {
            return action()
        } finally {
            depth--
        }
    }

    /** Runs a declarative block's body with `context` deciding which keywords are allowed. */
    Object within(Object context, Closure body) {
        contexts.push(context)
        try {
            return body()
        } finally {
            contexts.pop()
        }
    }

    Object runSteps(Closure body) {
        return within(STEPS, body)
    }

    /** Runs `body`; a pipeline error fails (or aborts) the build as in Jenkins. Harness errors propagate. */
    void guarded(Closure body) {
        try {
            body()
        } catch (UnknownStepException | AssertionError error) {
            throw error
        } catch (PipelineAborted aborted) {
            failures << aborted
            build.result = 'ABORTED'
        } catch (RuntimeException failure) {
            failures << failure
            build.result = 'FAILURE'
        }
    }

    /**
     * The environment as `withEnv` sets it (NAME=value; NAME+SUFFIX=value prepends to NAME with ':'), for
     * the body only. Like Jenkins, only those names are restored: an `env.X = ...` inside the body stays.
     */
    Object withEnvironment(Map<String, String> values, Closure body) {
        Map<String, String> names = values.keySet().collectEntries { [(it): it.split(/\+/)[0]] }
        Map<String, String> saved = names.values().collectEntries { [(it): env[it]] }
        values.each { String key, String value ->
            String name = names[key]
            env[name] = key.contains('+') && env[name] ? "${value}:${env[name]}" as String : value
        }
        try {
            return body()
        } finally {
            saved.each { String name, String value -> value == null ? env.remove(name) : env.put(name, value) }
        }
    }

    void applyParameterDefaults(List<List> definitions) {
        definitions.each { entry ->
            Map definition = entry[1] as Map
            Object choices = definition.choices
            Object fallback = entry[0] == 'choice' ? (choices instanceof List ? choices : choices.split('\n'))[0]
                                                   : definition.defaultValue
            params.putIfAbsent(definition.name as String, fallback)
        }
    }

    private PipelineScript library(String name) {
        if (!libraryScripts.containsKey(name)) {
            libraryScripts[name] = loadScript(libraryFiles[name].path)
        }
        return libraryScripts[name]
    }
}
