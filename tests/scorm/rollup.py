"""The SCORM 2004 4th Edition rollup, as an LMS computes it, applied to the manifest we ship.

Why here and not in scorm-again: scorm-again 3.4.3 has a sequencing engine, but its rollup is
not the one of the SN book. Its Measure Rollup (``MeasureRollupProcessor`` in
``dist/scorm2004.js``) drops the children without a measure from the divisor, so a quiz not yet
submitted counts for nothing instead of 0, and it scales a child's weight by 0.8 while the child is
not completed and by an attempt penalty after the first attempt ("complex weighting"); its
Objective Rollup tries rules before the measure. A test against it would check scorm-again, not
our manifest. So this module implements the subset of the SN book's pseudo-code that a
multi-SCO coursekit package exercises, and reads every input from ``imsmanifest.xml``.

References are to the SCORM 2004 4th Edition Sequencing and Navigation (SN) book, Appendix C
pseudo-code: Overall Rollup RB.1.5, Measure Rollup RB.1.1 a, Objective Rollup RB.1.2 (using
measure RB.1.2 a, using rules RB.1.2 b), Activity Progress Rollup RB.1.3 (using rules
RB.1.3 a), Rollup Rule Check RB.1.4, Evaluate Rollup Conditions RB.1.4.1, Check Child for
Rollup RB.1.4.2, End Attempt UP.4, and the RTE book's mapping of cmi.completion_status,
cmi.success_status and cmi.score.scaled onto the tracking model (RTE 4.2.4, 4.2.22, 4.2.20).

Not implemented (our manifests carry none; ``from_manifest`` refuses them): completion by
measure (``adlcp:completionThreshold``), objective maps and global objectives, limit conditions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

NS = {
    "cp": "http://www.imsglobal.org/xsd/imscp_v1p1",
    "imsss": "http://www.imsglobal.org/xsd/imsss",
    "adlseq": "http://www.adlnet.org/xsd/adlseq_v1p3",
    "adlcp": "http://www.adlnet.org/xsd/adlcp_v1p3",
}


def _bool(value: str | None, default: bool) -> bool:
    return default if value is None else value.strip() == "true"


@dataclass
class RollupRule:
    child_set: str  # all | any | none | atLeastCount | atLeastPercent
    minimum_count: int
    minimum_percent: float
    combination: str  # all | any
    conditions: list[tuple[str, bool]]  # (condition, negated)
    action: str  # satisfied | notSatisfied | completed | incomplete


@dataclass
class Activity:
    """An item of the organization: its sequencing definition (from the manifest) and its
    tracking state (SN 4.2: activity, attempt and objective progress information)."""

    id: str
    href: str | None = None
    children: list["Activity"] = field(default_factory=list)
    parent: "Activity | None" = None
    # sequencing definition model (SN 3.x), with the defaults of imsss_v1p0*.xsd
    tracked: bool = True
    completion_set_by_content: bool = False
    objective_set_by_content: bool = False
    rollup_objective_satisfied: bool = True
    rollup_progress_completion: bool = True
    measure_weight: float = 1.0
    rules: list[RollupRule] = field(default_factory=list)
    required_for: dict = field(default_factory=lambda: dict.fromkeys(("satisfied", "notSatisfied", "completed", "incomplete"), "always"))
    measure_satisfaction_if_active: bool = True
    objective_id: str | None = None
    satisfied_by_measure: bool = False
    min_measure: float = 1.0
    # tracking model
    attempt_count: int = 0
    active: bool = False
    suspended: bool = False
    progress_known: bool = False  # Attempt Progress Status
    completed: bool = False  # Attempt Completion Status
    objective_known: bool = False  # Objective Progress Status
    satisfied: bool = False  # Objective Satisfied Status
    measure_known: bool = False  # Objective Measure Status
    measure: float = 0.0  # Objective Normalized Measure

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()

    def path_to_root(self):
        node = self
        while node is not None:
            yield node
            node = node.parent

    # what an LMS reports for the activity (SCORM Cloud's registration view, say)
    @property
    def completion_status(self) -> str:
        return ("completed" if self.completed else "incomplete") if self.progress_known else "unknown"

    @property
    def success_status(self) -> str:
        return ("passed" if self.satisfied else "failed") if self.objective_known else "unknown"

    @property
    def scaled(self) -> float | None:
        return round(self.measure, 6) if self.measure_known else None


class Tree:
    def __init__(self, root: Activity):
        self.root = root
        self.by_id = {a.id: a for a in root.walk()}

    def __getitem__(self, ident: str) -> Activity:
        return self.by_id[ident]

    def leaves(self) -> list[Activity]:
        return [a for a in self.root.walk() if not a.children]

    def status(self, ident: str | None = None) -> tuple[str, str, float | None]:
        a = self.root if ident is None else self[ident]
        return a.completion_status, a.success_status, a.scaled

    # --- runtime: one SCO delivered, then terminated ------------------------------------------

    def deliver(self, ident: str) -> None:
        """Content Delivery Environment (DB.2): the activity and its ancestors become active and
        a new attempt begins on each that was not active yet."""
        for a in reversed(list(self[ident].path_to_root())):
            if not a.active:
                a.active = True
                a.attempt_count += 1

    def terminate(self, ident: str, cmi: dict) -> None:
        """The SCO ended (Terminate): copy its run-time data into the tracking model, end the
        attempt on the leaf (UP.4) and roll up along its path (RB.1.5). The clusters above stay
        active: the learner is still in the course."""
        leaf = self[ident]
        completion = cmi.get("completion_status", "unknown")
        # RTE 4.2.4: completed / incomplete / not attempted are known progress, unknown is not
        if completion in ("completed", "incomplete", "not attempted"):
            leaf.progress_known, leaf.completed = True, completion == "completed"
        success = cmi.get("success_status", "unknown")
        # RTE 4.2.22: passed / failed set the objective's progress and satisfied status
        if success in ("passed", "failed"):
            leaf.objective_known, leaf.satisfied = True, success == "passed"
        scaled = (cmi.get("score") or {}).get("scaled", "")
        # RTE 4.2.20: score.scaled is the primary objective's normalized measure
        if scaled != "":
            leaf.measure_known, leaf.measure = True, float(scaled)
        # UP.4: content that does not set the status leaves it to the LMS, which assumes
        # completed / satisfied at the end of the attempt (the defaults of deliveryControls)
        if leaf.tracked:
            if not leaf.completion_set_by_content and not leaf.progress_known:
                leaf.progress_known, leaf.completed = True, True
            if not leaf.objective_set_by_content and not leaf.objective_known:
                leaf.objective_known, leaf.satisfied = True, True
        leaf.active = False
        leaf.suspended = cmi.get("exit") == "suspend" and not leaf.completed
        self.overall_rollup(leaf)

    def exit_all(self) -> None:
        """The learner leaves the course (exitAll): the attempt on every cluster ends (UP.4),
        which rolls them up once more, now inactive."""
        for a in self.root.walk():
            a.active = False
        for a in sorted(self.root.walk(), key=lambda a: -len(list(a.path_to_root()))):
            if a.children:
                self._rollup_one(a)

    # --- RB.1.5 Overall Rollup Process ----------------------------------------------------------

    def overall_rollup(self, activity: Activity) -> None:
        for a in activity.path_to_root():  # from the activity up to the root
            self._rollup_one(a)

    def _rollup_one(self, a: Activity) -> None:
        if a.children:
            self.measure_rollup(a)
        self.objective_rollup(a)
        self.progress_rollup(a)

    # --- RB.1.1 a Measure Rollup Process --------------------------------------------------------

    @staticmethod
    def measure_rollup(a: Activity) -> None:
        """Every tracked child's weight counts in the divisor; only children with a known
        measure add to the total. A child without a measure therefore counts as 0 (as long as
        one child has a measure: with none, the measure is unknown)."""
        total, counted, valid = 0.0, 0.0, False
        for child in a.children:
            if not child.tracked:
                continue
            counted += child.measure_weight
            if child.measure_known:
                total += child.measure * child.measure_weight
                valid = True
        if not valid or counted <= 0:
            a.measure_known = False
        else:
            a.measure_known, a.measure = True, total / counted

    # --- RB.1.2 Objective Rollup Process --------------------------------------------------------

    def objective_rollup(self, a: Activity) -> None:
        if a.satisfied_by_measure:
            self._objective_by_measure(a)  # RB.1.2 a
        elif a.children:
            self._objective_by_rules(a)  # RB.1.2 b (with the default rules)

    @staticmethod
    def _objective_by_measure(a: Activity) -> None:
        if not a.measure_known:
            a.objective_known = False
        elif not a.active or a.measure_satisfaction_if_active:
            a.objective_known, a.satisfied = True, a.measure >= a.min_measure
        else:
            a.objective_known = False

    def _objective_by_rules(self, a: Activity) -> None:
        rules = [r for r in a.rules if r.action in ("satisfied", "notSatisfied")]
        actions = {r.action for r in rules}
        # SN 4.6.5 default rollup rules: added for an action the activity defines no rule for
        if "notSatisfied" not in actions:
            rules.append(RollupRule("all", 0, 0, "any", [("objectiveStatusKnown", False)], "notSatisfied"))
        if "satisfied" not in actions:
            rules.append(RollupRule("all", 0, 0, "any", [("satisfied", False)], "satisfied"))
        if self.rule_check(a, [r for r in rules if r.action == "notSatisfied"]):
            a.objective_known, a.satisfied = True, False
        if self.rule_check(a, [r for r in rules if r.action == "satisfied"]):
            a.objective_known, a.satisfied = True, True

    # --- RB.1.3 Activity Progress Rollup Process ------------------------------------------------

    def progress_rollup(self, a: Activity) -> None:
        if not a.children:
            return
        rules = [r for r in a.rules if r.action in ("completed", "incomplete")]
        actions = {r.action for r in rules}
        # SN 4.6.5 default rollup rules
        if "incomplete" not in actions:
            rules.append(RollupRule("all", 0, 0, "any", [("activityProgressKnown", False)], "incomplete"))
        if "completed" not in actions:
            rules.append(RollupRule("all", 0, 0, "any", [("completed", False)], "completed"))
        if self.rule_check(a, [r for r in rules if r.action == "incomplete"]):
            a.progress_known, a.completed = True, False
        if self.rule_check(a, [r for r in rules if r.action == "completed"]):
            a.progress_known, a.completed = True, True

    # --- RB.1.4 Rollup Rule Check Subprocess ----------------------------------------------------

    def rule_check(self, a: Activity, rules: list[RollupRule]) -> bool:
        for rule in rules:
            bag = [self.evaluate(rule, c) for c in a.children if c.tracked and self.contributes(c, rule.action)]
            if not bag:
                continue  # no contributing child: the rule does not apply
            trues = sum(1 for v in bag if v)
            fired = {
                "all": trues == len(bag),
                "any": trues > 0,
                "none": trues == 0,
                "atLeastCount": trues >= rule.minimum_count,
                "atLeastPercent": trues / len(bag) >= rule.minimum_percent,
            }[rule.child_set]
            if fired:
                return True
        return False

    @staticmethod
    def evaluate(rule: RollupRule, child: Activity) -> bool:
        """RB.1.4.1 Evaluate Rollup Conditions Subprocess."""
        values = []
        for condition, negated in rule.conditions:
            value = {
                "satisfied": child.objective_known and child.satisfied,
                "objectiveStatusKnown": child.objective_known,
                "objectiveMeasureKnown": child.measure_known,
                "completed": child.progress_known and child.completed,
                "activityProgressKnown": child.progress_known,
                "attempted": child.attempt_count > 0,
                "attemptLimitExceeded": False,
                "timeLimitExceeded": False,
                "outsideAvailableTimeRange": False,
            }[condition]
            values.append(not value if negated else value)
        return all(values) if rule.combination == "all" else any(values)

    @staticmethod
    def contributes(child: Activity, action: str) -> bool:
        """RB.1.4.2 Check Child for Rollup Subprocess."""
        if action in ("satisfied", "notSatisfied"):
            if not child.rollup_objective_satisfied:
                return False
        elif not child.rollup_progress_completion:
            return False
        need = child.required_for[action]
        if need == "ifAttempted":
            return child.attempt_count > 0
        if need == "ifNotSkipped":
            return True  # nothing is ever skipped here
        if need == "ifNotSuspended":
            return not (child.attempt_count > 0 and child.suspended)
        return True


# --- the manifest's organization as an activity tree --------------------------------------------


def from_manifest(xml: bytes) -> Tree:
    """The default organization of a 2004 manifest as an activity tree (CAM 3.4 items, SN 5
    sequencing elements); refuses the sequencing this module does not implement."""
    doc = etree.fromstring(xml)
    orgs = doc.find("cp:organizations", NS)
    org = orgs.find(f"cp:organization[@identifier='{orgs.get('default')}']", NS)
    hrefs = {r.get("identifier"): r.get("href") for r in doc.iterfind("cp:resources/cp:resource", NS)}
    for unsupported in ("adlcp:completionThreshold", "imsss:sequencing/imsss:objectives//imsss:mapInfo",
                        "imsss:sequencing/imsss:limitConditions", "imsss:sequencing/imsss:sequencingRules"):
        if doc.find(f".//{unsupported}", NS) is not None:
            raise NotImplementedError(f"{unsupported} is not modelled by tests/scorm/rollup.py")

    def build(el, parent) -> Activity:
        a = Activity(id=el.get("identifier"), href=hrefs.get(el.get("identifierref")), parent=parent)
        seq = el.find("imsss:sequencing", NS)
        if seq is not None:
            delivery = seq.find("imsss:deliveryControls", NS)
            if delivery is not None:
                a.tracked = _bool(delivery.get("tracked"), True)
                a.completion_set_by_content = _bool(delivery.get("completionSetByContent"), False)
                a.objective_set_by_content = _bool(delivery.get("objectiveSetByContent"), False)
            rollup = seq.find("imsss:rollupRules", NS)
            if rollup is not None:
                a.rollup_objective_satisfied = _bool(rollup.get("rollupObjectiveSatisfied"), True)
                a.rollup_progress_completion = _bool(rollup.get("rollupProgressCompletion"), True)
                a.measure_weight = float(rollup.get("objectiveMeasureWeight", "1.0"))
                for r in rollup.iterfind("imsss:rollupRule", NS):
                    conds = r.find("imsss:rollupConditions", NS)
                    a.rules.append(RollupRule(
                        child_set=r.get("childActivitySet", "all"),
                        minimum_count=int(r.get("minimumCount", "0")),
                        minimum_percent=float(r.get("minimumPercent", "0")),
                        combination=conds.get("conditionCombination", "any"),
                        conditions=[(c.get("condition"), c.get("operator") == "not") for c in conds.iterfind("imsss:rollupCondition", NS)],
                        action=r.find("imsss:rollupAction", NS).get("action"),
                    ))
            considerations = seq.find("adlseq:rollupConsiderations", NS)
            if considerations is not None:
                for key in list(a.required_for):
                    a.required_for[key] = considerations.get(f"requiredFor{key[0].upper()}{key[1:]}", "always")
                a.measure_satisfaction_if_active = _bool(considerations.get("measureSatisfactionIfActive"), True)
            primary = seq.find("imsss:objectives/imsss:primaryObjective", NS)
            if primary is not None:
                a.objective_id = primary.get("objectiveID")
                a.satisfied_by_measure = _bool(primary.get("satisfiedByMeasure"), False)
                mnm = primary.find("imsss:minNormalizedMeasure", NS)
                a.min_measure = float(mnm.text) if mnm is not None else 1.0
        a.children = [build(child, a) for child in el.iterfind("cp:item", NS)]
        return a

    return Tree(build(org, None))
