import java.lang.annotation.Retention
import java.lang.annotation.RetentionPolicy

/**
 * For CodeNarc only: Jenkins imports @Library implicitly, CodeNarc does not, and an unresolved annotation
 * stops the compile its CPS rules need. In the default package, so `@Library('relay') _` resolves unchanged.
 */
@Retention(RetentionPolicy.SOURCE)
@interface Library {
    String[] value()
}
