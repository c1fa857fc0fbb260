"""Exact answer to "which of these sums can an analyst compute from the published ones?".

Every published figure of a family is a linear form over unknown variables (the sums of groups
of people); every group that must stay secret is another linear form. A secret is *determined*
when its form lies in the span of the published forms: then some linear combination of
published figures gives it exactly. This module decides that in exact integer arithmetic (fraction-free
elimination: the same answer as rational arithmetic), never with a floating-point tolerance:

1. *Peeling*: a published form with a single unknown variable determines it; remove it from every
   other form and repeat. This settles the tree-shaped bulk of a publication in linear time.
2. What is left splits into connected components (forms sharing variables); each component a
   secret touches is reduced to row-echelon form, and the secret's part in that component must
   reduce to zero for the secret to be determined.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass
from math import gcd

Form = tuple[tuple[int, int], ...]
"""A linear form: (variable, integer coefficient) pairs."""


def form(terms: Iterable[tuple[int, int]]) -> Form:
    """Merge repeated variables and drop zero coefficients."""
    listed = list(terms)
    if len(listed) < 2 or len({v for v, _ in listed}) == len(listed):
        return tuple(t for t in listed if t[1])
    merged: dict[int, int] = defaultdict(int)
    for variable, coefficient in listed:
        merged[variable] += coefficient
    return tuple((v, c) for v, c in merged.items() if c)


class _Span:
    """The row space of some forms in reduced row-echelon form, with integer rows.

    Fraction-free elimination: a row is combined with a pivot row by cross-multiplying the two
    coefficients and divided by the gcd of its entries, so every number stays an exact integer.
    Each pivot row holds no other pivot's variable, so reducing a vector takes one pass.
    """

    def __init__(self) -> None:
        self.pivots: dict[int, dict[int, int]] = {}
        self.occurs: dict[int, set[int]] = defaultdict(set)  # variable → pivots whose row has it

    def reduce(self, vector: dict[int, int]) -> dict[int, int]:
        out = dict(vector)
        for pivot in [v for v in vector if v in self.pivots]:
            out = _eliminate(out, self.pivots[pivot], pivot)
        return out

    def add(self, terms: Form) -> None:
        row = self.reduce(dict(terms))
        if not row:
            return
        pivot = min(row)
        for other in list(self.occurs.get(pivot, ())):
            old = self.pivots[other]
            new = _eliminate(old, row, pivot)
            for variable in old.keys() - new.keys():
                self.occurs[variable].discard(other)
            for variable in new.keys() - old.keys():
                self.occurs[variable].add(other)
            self.pivots[other] = new
        self.occurs.pop(pivot, None)
        self.pivots[pivot] = row
        for variable in row:
            if variable != pivot:
                self.occurs[variable].add(pivot)

    def contains(self, terms: dict[int, int]) -> bool:
        return not self.reduce(terms)


def _eliminate(vector: dict[int, int], row: dict[int, int], pivot: int) -> dict[int, int]:
    """``vector`` without ``pivot``: row[pivot]·vector − vector[pivot]·row, divided by its gcd."""
    factor = vector.get(pivot, 0)
    if not factor:
        return vector
    scale = row[pivot]
    out = {v: c * scale for v, c in vector.items() if v != pivot}
    for variable, coefficient in row.items():
        if variable != pivot:
            updated = out.get(variable, 0) - factor * coefficient
            if updated:
                out[variable] = updated
            else:
                out.pop(variable, None)
    divisor = 0
    for coefficient in out.values():
        divisor = gcd(divisor, coefficient)
        if divisor == 1:
            return out
    return {v: c // divisor for v, c in out.items()} if divisor > 1 else out


class _Components:
    """Union-find over variables."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, variable: int) -> int:
        root = variable
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        while self.parent.get(variable, variable) != root:
            self.parent[variable], variable = root, self.parent[variable]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[ra] = rb


class Publication:
    """The published forms of one family, prepared for many "is this determined?" questions."""

    def __init__(self, published: Sequence[Form], known: Iterable[int] = ()) -> None:
        self.known = _peel(published, set(known))
        residual = [_without(terms, self.known) for terms in published]
        self.residual = [terms for terms in residual if len(terms) >= 2]
        self.components, self.in_residual = _connect(self.residual)
        self._component: dict[int, int] | None = None
        self._rows_by_component: dict[int, list[Form]] | None = None
        self._spans: dict[int, _Span] = {}

    @property
    def component(self) -> dict[int, int]:
        """Each residual variable's component (its root), made when first asked for: the
        control's local checks ask one question of each publication and need only a few."""
        if self._component is None:
            self._component = {v: self.components.find(v) for v in self.in_residual}
        return self._component

    def determined(self, secret: Form) -> bool:
        """Whether some linear combination of the published forms equals ``secret`` exactly."""
        unknown = [(v, c) for v, c in secret if v not in self.known]
        if not unknown:
            return True
        parts: dict[int, dict[int, int]] = defaultdict(dict)
        component = self._component  # an extended publication's holds its shared components too
        for variable, coefficient in unknown:
            if component is not None:
                root = component.get(variable)
            else:
                root = self.components.find(variable) if variable in self.in_residual else None
            if root is None:
                return False  # a variable no published form constrains any more
            parts[root][variable] = coefficient
        return all(self._span(root).contains(part) for root, part in parts.items())

    def extended(self, extra: Sequence[Form]) -> Extension:
        """This publication with more forms published, computed only where they reach.

        A form reaches the residual components its unknown variables belong to; peeling and
        elimination are redone over those components and the new forms alone, and every other
        component (with its reduced span) is shared. The answer for a secret that touches no
        variable in ``Extension.touched`` is the same as this publication's.
        """
        rows = self._rows()
        reduced = [_without(terms, self.known) for terms in extra]
        reduced = [terms for terms in reduced if terms]
        roots = {self.component[v] for terms in reduced for v, _ in terms if v in self.component}
        local = [terms for root in roots for terms in rows.get(root, ())] + reduced
        new = Publication.__new__(Publication)
        new.known = set(self.known)
        new.known |= _peel(local)
        residual = [_without(terms, new.known) for terms in local]
        residual = [terms for terms in residual if len(terms) >= 2]
        touched = {v for terms in local for v, _ in terms}
        new.components, new.in_residual = _connect(residual)
        new._component = {v: r for v, r in self.component.items() if r not in roots}
        new._component.update((v, new.components.find(v)) for v in new.in_residual)
        grouped = {root: forms for root, forms in rows.items() if root not in roots}
        for terms in residual:
            grouped.setdefault(new.component[terms[0][0]], []).append(terms)
        new.residual = [terms for forms in grouped.values() for terms in forms]
        new._rows_by_component = grouped
        new._spans = {root: span for root, span in self._spans.items() if root not in roots}
        return Extension(new, frozenset(touched))

    def _rows(self) -> dict[int, list[Form]]:
        if self._rows_by_component is None:
            grouped: dict[int, list[Form]] = defaultdict(list)
            for terms in self.residual:
                grouped[self.component[terms[0][0]]].append(terms)
            self._rows_by_component = dict(grouped)
        return self._rows_by_component

    def _span(self, root: int) -> _Span:
        if root not in self._spans:
            span = _Span()
            for terms in self._rows().get(root, []):
                span.add(terms)
            self._spans[root] = span
        return self._spans[root]


@dataclass(frozen=True)
class Extension:
    """A publication extended by more forms, and the variables whose answers may have changed."""

    publication: Publication
    touched: frozenset[int]

    def determined(
        self, secrets: Sequence[Form], before: Sequence[bool], secrets_of: Mapping[int, Iterable[int]]
    ) -> list[bool]:
        """Each secret's answer, given its answer ``before`` the extension: recomputed only for
        a secret that was not determined before and touches a variable the extension reached
        (``secrets_of``: variable → the secrets it is in)."""
        answers = list(before)
        recheck = {index for variable in self.touched for index in secrets_of.get(variable, ())}
        for index in recheck:
            if not answers[index]:
                answers[index] = self.publication.determined(secrets[index])
        return answers


def _without(terms: Form, known: Set[int]) -> Form:
    """The form without its known variables: the same object when it has none, and the same
    term objects (at state scale a family has millions of terms)."""
    for variable, _ in terms:
        if variable in known:
            return tuple(term for term in terms if term[0] not in known)
    return terms


def _connect(residual: Sequence[Form]) -> tuple[_Components, set[int]]:
    """The connected components of the variables that forms share, and those variables.

    One find per variable of a form (its roots are then joined under the first), rather than a
    union of each variable with the form's first: half the lookups, and this runs for every
    publication the control and the gate build, thousands a night."""
    components = _Components()
    parent = components.parent
    variables: set[int] = set()
    for terms in residual:
        joined = -1
        for variable, _ in terms:
            root = parent.setdefault(variable, variable)
            if root != variable:
                while True:
                    above = parent[root]
                    if above == root:
                        break
                    root = above
                node = variable
                while node != root:  # path compression
                    parent[node], node = root, parent[node]
            if joined < 0:
                joined = root
            elif root != joined:
                parent[root] = joined
        variables.update(variable for variable, _ in terms)
    return components, variables


def _peel(published: Sequence[Form], known: set[int] | None = None) -> set[int]:
    """Variables that published forms pin down one at a time (a form with one unknown left),
    starting from ``known`` (variables published on their own), which the result includes."""
    known = set() if known is None else known
    rows_of: dict[int, list[int]] = defaultdict(list)
    unknown = [0] * len(published)
    for index, terms in enumerate(published):
        for variable, _ in terms:
            if variable not in known:
                rows_of[variable].append(index)
                unknown[index] += 1
    queue = [index for index, count in enumerate(unknown) if count == 1]
    while queue:
        index = queue.pop()
        if unknown[index] != 1:
            continue
        variable = next(v for v, _ in published[index] if v not in known)
        known.add(variable)
        for other in rows_of[variable]:
            unknown[other] -= 1
            if unknown[other] == 1:
                queue.append(other)
    return known
