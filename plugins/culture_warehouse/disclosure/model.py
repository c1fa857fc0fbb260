"""The publication as linear algebra: cells, empty groups and secrets of one linked family.

A family is a set of published tables whose figures add up over the same people (for example
one survey round's breakdowns by job family together with its dimension results). Each family
has unknown variables ``y[unit, column]``: the sum over the unit's whole subtree in one column
(a background value, a question, a month's tree segment). Then

- a published cell is a form over a few variables (a breakdown cell is one variable; a unit's
  dimension result is the sum of its value columns and of the respondents without a value; a
  12-month absence figure is the sum of its months' segments);
- a unit's direct members in a column are ``y[unit] − Σ y[child]``. When that group is empty
  its sum is known to be 0: a *constraint*, which an analyst knowing every group's size has;
- a *secret* is what rule 5 protects: every group of 1..k−1 people, whether a published cell
  (then it is suppressed) or the direct members of one unit in one column.

Nothing here reads a figure: only the structure and the group sizes, so no value of a person
ever passes through the disclosure control.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Sequence, Set
from dataclasses import dataclass, field

from culture_warehouse.disclosure.solver import Form, Publication, form


@dataclass(slots=True)  # millions of cells at state scale: no __dict__ each
class Cell:
    """A published group figure: where it lives, what it sums, how big it is."""

    mart: str
    key: tuple[Hashable, ...]
    terms: Form
    size: float
    column: Hashable
    shown: bool
    fine: bool  # a finest-grained mart's cell, where secondary suppressions go first


@dataclass(frozen=True, slots=True)
class Secret:
    kind: str
    key: tuple[Hashable, ...]
    terms: Form
    size: float
    column: Hashable


@dataclass
class Variant:
    """Another publication over a family's variables: the family's figures and a few more.

    One survey round's breakdowns are one family, and every dimension of the round publishes
    them again with its own empty groups (respondents who answered none of its items): rather
    than a second family per dimension, an audit checks the dimension as the family extended by
    its differences (Publication.extended), which costs only where they reach.
    """

    name: str
    shown: list[Form]  # published forms beyond the family's own
    headline: list[Form] = field(default_factory=list)  # of those, the headline figures
    zeros: list[Form] = field(default_factory=list)  # groups empty in this variant only: sum 0
    identities: bool = False  # secrets its headline figures give are identities, not leaks


@dataclass
class Family:
    name: str
    cells: list[Cell] = field(default_factory=list)
    constraints: list[Form] = field(default_factory=list)
    secrets: list[Secret] = field(default_factory=list)
    headline_identities: int = 0
    empty: set[Hashable] = field(default_factory=set)  # sums over nobody: 0, no unknown at all
    tries: int = 16  # candidates tried per leaking secret before the best-ranked is taken
    lean: bool = False  # audit only: shown single-variable fine cells kept as known variables
    k: float = 0.0  # the minimum group size (a lean family keeps every small cell as a cell)
    withheld: Set[str] = frozenset()  # marts held back from publication: their cells are not shown
    known: set[int] = field(default_factory=set)  # variables published on their own (lean)
    known_cells: Counter[str] = field(default_factory=Counter)  # those cells, by mart
    # When set, the family's own cells are what every variant publishes, and the audit checks
    # each variant instead of the family alone.
    variants: list[Variant] = field(default_factory=list)
    # The digest of what the family was read from (disclosure/memo.py), when the control reads it.
    inputs: str = ""
    # A family not built because its inputs are unchanged: last night's suppressions, by key.
    recalled: list[tuple[str, tuple[Hashable, ...]]] | None = None
    # The secrets the family's published cells determine now, when known (None: not checked
    # since its cells last changed); ``settle_secrets`` and ``control.protect_family`` keep it.
    leaking: list[Secret] | None = None
    _variables: dict[Hashable, int] = field(default_factory=dict)
    # The term (variable, 1) of each variable, one object shared by every form that has it: a
    # variable is in several cells, secrets and constraints, millions of terms at state scale.
    _ones: list[tuple[int, int]] = field(default_factory=list)
    # The term (variable, −1), shared the same way once made: a unit's children enter its direct
    # group with −1 (direct_form), in every month of every 12-month window at state scale.
    _minus: list[tuple[int, int] | None] = field(default_factory=list)

    def built(self) -> Family:
        """The family, read to the end: what only building needed (the name of every variable,
        the shared terms, the empty sums) is freed, about 100 MB for the absence family at
        state scale. The forms keep their terms."""
        self._variables = {}
        self._ones = []
        self._minus = []
        self.empty = set()
        return self

    def variable(self, name: Hashable) -> int:
        found = self._variables.get(name)
        if found is None:
            found = self._variables[name] = len(self._variables)
            self._ones.append((found, 1))
            self._minus.append(None)
        return found

    def terms(self, names: Iterable[Hashable], coefficient: int = 1) -> list[tuple[int, int]]:
        """Terms for these sums, leaving out every sum over an empty subtree (known to be 0)."""
        zero, variables, ones, minus = self.empty, self._variables, self._ones, self._minus
        out = []
        for name in names:
            if name not in zero:
                found = variables.get(name)
                if found is None:
                    found = variables[name] = len(variables)
                    ones.append((found, 1))
                    minus.append(None)
                if coefficient == 1:
                    out.append(ones[found])
                elif coefficient == -1:
                    term = minus[found]
                    if term is None:
                        term = minus[found] = (found, -1)
                    out.append(term)
                else:
                    out.append((found, coefficient))
        return out

    def add_cell(self, cell: Cell) -> None:
        """Add a cell of the publication. A lean family keeps a shown finest-grained cell of one
        variable (of k or more people) as a known variable only: the audit needs no more of it,
        and at state scale these are millions of cells."""
        if cell.mart in self.withheld:
            cell.shown = False
        if self.lean and cell.shown and cell.fine and len(cell.terms) == 1 and not 0 < cell.size < self.k:
            self.known.add(cell.terms[0][0])
            self.known_cells[cell.mart] += 1
        else:
            self.cells.append(cell)

    def published(self) -> list[Form]:
        return [cell.terms for cell in self.cells if cell.shown] + self.constraints

    def headline(self) -> list[Form]:
        """The shown headline figures (every cell but the finest-grained marts') and the empty
        groups: what the family publishes without its fine cells."""
        return [cell.terms for cell in self.cells if cell.shown and not cell.fine] + self.constraints

    def publication(self) -> Publication:
        """Everything the family publishes, ready for "is this determined?" questions."""
        return Publication(self.published(), known=self.known)

    def settle_secrets(self, known_zeros: bool = False) -> None:
        """Drop what is no secret, and note what the family as built determines (``leaking``).

        - With ``known_zeros``: a secret that the empty groups alone determine is a sum of
          nobody's answers (its members contribute nothing to these figures): known to be 0
          from the sizes, it tells nothing and is no secret.
        - A secret the headline figures alone give (with the empty groups) is an identity: a
          question answered by fewer than k of a unit's k or more respondents, in a dimension
          of one question, *is* the unit's dimension result. Rules 1–3 publish that result for
          its respondents; the respondent-count families audit the headline marts themselves,
          so these identities are counted (``headline_identities``), not suppressed (README,
          "Disclosure control").

        Both are parts of the whole publication, so a secret the whole does not determine
        neither does: the whole is checked once, and the parts only for what it determines.
        """
        whole = self.publication()
        forms = [secret.terms for secret in self.secrets]
        determined = [index for index, terms in enumerate(forms) if whole.determined(terms)]
        del whole  # hundreds of MB at state scale, before the parts are built
        figures = [cell.terms for cell in self.cells if cell.shown and not cell.fine]
        zeros, identities = no_leaks(forms, determined, self.constraints, figures, known_zeros)
        rest = [index for index in determined if index not in zeros]
        self.headline_identities = len(identities)
        self.leaking = [self.secrets[index] for index in rest if index not in identities]
        self.secrets = [s for index, s in enumerate(self.secrets) if index not in zeros | identities]


class ClearedCore:
    """A family whose published cells determine none of its secrets, kept to answer whether a
    variant that publishes no more than it, but knows a few more groups to be empty (the
    respondents of a dimension who answered none of its items), could determine one.

    The variant's secrets are the family's secrets (less the groups it knows empty), so when the
    family's publication extended by the variant's empty groups determines none of them beyond
    sums of nobody, the variant determines none either: its search would suppress nothing.
    """

    def __init__(self, family: Family) -> None:
        self.publication = family.publication()
        self.constraints = family.constraints
        self.forms = [secret.terms for secret in family.secrets]
        self.secrets_of: dict[int, list[int]] = defaultdict(list)
        for index, terms in enumerate(self.forms):
            for variable, _ in terms:
                self.secrets_of[variable].append(index)

    @classmethod
    def of(cls, family: Family) -> ClearedCore | None:
        """The core, when the family was checked and determines none of its secrets; else None."""
        return cls(family) if family.leaking == [] and family.recalled is None else None

    def clear_with(self, zeros: Sequence[Form], headline: Sequence[Form]) -> bool:
        """Whether, with ``zeros`` known to sum to 0 as well, every secret the publication then
        determines is no leak in the variant (``no_leaks``, with its ``headline`` figures)."""
        if not zeros:
            return True
        extension = self.publication.extended(zeros)
        answers = extension.determined(self.forms, [False] * len(self.forms), self.secrets_of)
        found = [index for index, answer in enumerate(answers) if answer]
        nobody, identities = no_leaks(self.forms, found, [*zeros, *self.constraints], headline)
        return all(index in nobody or index in identities for index in found)


def no_leaks(
    forms: Sequence[Form],
    determined: Sequence[int],
    empty: Sequence[Form],
    headline: Sequence[Form],
    known_zeros: bool = True,
) -> tuple[set[int], set[int]]:
    """Of the secrets (``forms``) a publication ``determined``, those that are no leak: the sums
    of nobody, which its empty groups alone give (with ``known_zeros``), and of the rest the
    identities, which its headline figures with its empty groups give (Family.settle_secrets)."""
    zeros: set[int] = set()
    if determined and known_zeros:
        given = Publication(empty)
        zeros = {index for index in determined if given.determined(forms[index])}
    rest = [index for index in determined if index not in zeros]
    identities: set[int] = set()
    if rest:
        by_headline = Publication([*headline, *empty])
        identities = {index for index in rest if by_headline.determined(forms[index])}
    return zeros, identities


class Tree:
    """A forest of units (parent of each unit, or None at a root) with subtree sums."""

    def __init__(self, parents: dict[str, str | None]) -> None:
        self.parents = parents
        self.children: dict[str, list[str]] = defaultdict(list)
        for unit, parent in parents.items():
            if parent is not None and parent in parents:
                self.children[parent].append(unit)
        self.bottom_up = self._bottom_up()

    def _bottom_up(self) -> list[str]:
        roots = [u for u, p in self.parents.items() if p is None or p not in self.parents]
        order: list[str] = []
        stack = list(roots)
        while stack:
            unit = stack.pop()
            order.append(unit)
            stack.extend(self.children.get(unit, ()))
        order.reverse()
        return order

    def subtree_sums(self, direct: dict[str, float]) -> dict[str, float]:
        totals: dict[str, float] = {}
        for unit in self.bottom_up:
            totals[unit] = direct.get(unit, 0.0) + sum(totals[c] for c in self.children.get(unit, ()))
        return totals


def direct_form(
    family: Family, tree: Tree, unit: str, column: Hashable, sign: int = 1
) -> list[tuple[int, int]]:
    """The direct members of ``unit`` in one column: y[unit] − Σ y[child]."""
    terms = family.terms([(unit, column)], sign)
    terms += family.terms(((child, column) for child in tree.children.get(unit, ())), -sign)
    return terms


def add_column(
    family: Family,
    tree: Tree,
    column: Hashable,
    direct: dict[str, float],
    k: float,
    secret_kind: str | None,
    key_of: Sequence[Hashable] = (),
    present: dict[str, float] | None = None,
) -> dict[str, float]:
    """Constraints for the column's empty direct groups and (with a kind) secrets for its small
    ones. Returns the column's subtree sizes.

    ``present`` counts, where it differs from ``direct``, the members who contribute to the
    figures (respondents who answered one dimension's items): a group with none of them sums to
    a known 0 however many members it has.
    """
    counted = tree.subtree_sums(present if present is not None else direct)
    for unit in tree.bottom_up:
        size = direct.get(unit, 0.0)
        if counted[unit] == 0:
            family.empty.add((unit, column))  # the whole subtree is empty: no unknown, no constraint
        elif (present if present is not None else direct).get(unit, 0.0) == 0:
            family.constraints.append(form(direct_form(family, tree, unit, column)))
        elif secret_kind is not None and size < k:
            family.secrets.append(
                Secret(
                    secret_kind, (*key_of, unit), form(direct_form(family, tree, unit, column)), size, column
                )
            )
    return tree.subtree_sums(direct)


def small_cell_secrets(family: Family, k: float, kind: str, cells: Iterable[Cell]) -> None:
    """Every published group of 1..k−1 people is a secret (rule 1 suppresses it; rule 5 keeps it so)."""
    for cell in cells:
        if 0 < cell.size < k:
            family.secrets.append(Secret(kind, cell.key, cell.terms, cell.size, cell.column))
