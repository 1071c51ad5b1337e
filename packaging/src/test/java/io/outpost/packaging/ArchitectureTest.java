package io.outpost.packaging;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.library.dependencies.SliceRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The house rules of the code base, checked over the main classes of every module (this module's
 * test class path holds them all): dependencies point one way and a module's internals stay its
 * own. A violated rule fails with the offending dependencies listed.
 */
class ArchitectureTest {

  private static final String DAEMON = "io.outpost.gateway..";
  private static final String BROKER = "io.outpost.broker..";
  private static final String TOPICS = "io.outpost.topic..";
  private static final String FUNCTIONS = "io.outpost.function..";
  private static final String FUNCTION_API = "io.outpost.function";
  private static final String SPOOL = "io.outpost.spool..";
  private static final String CLOUD = "io.outpost.cloud..";

  /** Face packages whose implementation lives in {@code <face>.internal..}. */
  private static final String[] FACES_WITH_INTERNALS = {"io.outpost.broker"};

  /**
   * Faces whose internals are their sub-packages (each sub-package's {@code package-info} says it
   * is internal): the function runtime's face wires its {@code deploy}, {@code invoke} and
   * runtimes.
   */
  private static final String[] FACES_WITH_INTERNAL_SUBPACKAGES = {"io.outpost.function.runtime"};

  private static JavaClasses main;

  @BeforeAll
  static void importMainClasses() {
    main =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            // the function testkit relocates its JSON library under its own internal package: not
            // our code
            .withImportOption(
                location -> !location.contains("/io/outpost/function/testing/internal/"))
            .importPackages("io.outpost");
  }

  @Test
  void everyModuleIsOnTheClassPathChecked() {
    for (String pkg :
        new String[] {
          "io.outpost.gateway",
          "io.outpost.broker",
          "io.outpost.broker.internal.session",
          "io.outpost.topic",
          "io.outpost.function",
          "io.outpost.function.testing",
          "io.outpost.spool",
          "io.outpost.cloud",
          "io.outpost.sim.cli",
          "io.outpost.testkit"
        }) {
      org.assertj.core.api.Assertions.assertThat(main.containPackage(pkg)).as(pkg).isTrue();
    }
  }

  /**
   * Packages depend on each other one way; a cycle means two packages are one concern or a type is
   * misplaced. A face package using its own {@code internal} implementation is not a cycle (the
   * internals use the face's model, as Vert.x's {@code impl} packages use their API package);
   * cycles among the internals still are.
   */
  @Test
  void noPackageCycles() {
    SliceRule rule = slices().matching("io.outpost.(**)").should().beFreeOfCycles();
    for (String face : FACES_WITH_INTERNALS) {
      rule = rule.ignoreDependency(resideInAPackage(face), resideInAPackage(face + ".internal.."));
    }
    for (String face : FACES_WITH_INTERNAL_SUBPACKAGES) {
      rule = rule.ignoreDependency(resideInAPackage(face), resideInAPackage(face + ".*.."));
    }
    rule.check(main);
  }

  /** A package named {@code internal} is seen only from inside the part that owns it. */
  @Test
  void nothingImportsAnotherPartsInternals() {
    classes().should(onlyReachInternalsTheyOwn()).check(main);
  }

  /** What function authors compile against needs nothing but the JDK. */
  @Test
  void functionApiDependsOnTheJdkOnly() {
    classes()
        .that()
        .resideInAPackage(FUNCTION_API)
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(FUNCTION_API, "java..")
        .check(main);
  }

  /**
   * The topic rules are shared by the broker, the daemon and the functions, so they depend on
   * nothing.
   */
  @Test
  void topicRulesDependOnTheJdkOnly() {
    classes()
        .that()
        .resideInAPackage(TOPICS)
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(TOPICS, "java..")
        .check(main);
  }

  /** The daemon wires the parts together; no part reaches back into it. */
  @Test
  void noPartImportsTheDaemon() {
    noClasses()
        .that()
        .resideInAnyPackage(BROKER, TOPICS, FUNCTIONS, SPOOL, CLOUD)
        .should()
        .dependOnClassesThat()
        .resideInAPackage(DAEMON)
        .check(main);
  }

  @Test
  void syncAgentAndLocalFunctionsNeverImportEachOther() {
    noClasses()
        .that()
        .resideInAnyPackage(SPOOL, CLOUD)
        .should()
        .dependOnClassesThat()
        .resideInAPackage(FUNCTIONS)
        .check(main);
    noClasses()
        .that()
        .resideInAPackage(FUNCTIONS)
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(SPOOL, CLOUD)
        .check(main);
  }

  @Test
  void theBrokerNeverImportsFunctionsOrTheSyncAgent() {
    noClasses()
        .that()
        .resideInAPackage(BROKER)
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(FUNCTIONS, SPOOL, CLOUD)
        .check(main);
  }

  /**
   * A dependency on {@code a.b.internal.x.Y} is allowed only from {@code a.b} or below: the owner
   * of an {@code internal} package is the package that contains it.
   */
  private static ArchCondition<JavaClass> onlyReachInternalsTheyOwn() {
    return new ArchCondition<>("depend only on internal packages of their own part") {
      @Override
      public void check(JavaClass origin, ConditionEvents events) {
        for (Dependency d : origin.getDirectDependenciesFromSelf()) {
          String target = d.getTargetClass().getPackageName();
          int internal = (target + ".").indexOf(".internal.");
          if (internal < 0 || !target.startsWith("io.outpost.")) {
            continue;
          }
          String owner = target.substring(0, internal);
          String from = origin.getPackageName();
          if (!from.equals(owner) && !from.startsWith(owner + ".")) {
            events.add(SimpleConditionEvent.violated(d, d.getDescription()));
          }
        }
      }
    };
  }
}
