"""The question catalogue of the two survey rounds.

Between the rounds the vendor dropped two questions, added three, gave two questions new codes
and reworded one under its old code: comparisons per question only hold where code and text match.
"""

from __future__ import annotations

from dataclasses import dataclass

DIMENSIONS = (
    "tillid", "retfaerdighed", "samarbejde", "anerkendelse", "rolleklarhed", "laering", "ledelse",
    "trivsel", "engagement", "kompetenceudvikling", "arbejdspres", "enps",
)  # fmt: skip
DONT_KNOW = 9


@dataclass(frozen=True)
class Question:
    """One question as asked in one round."""

    code: str
    dimension: str
    text_da: str
    text_en: str
    reverse_scored: bool

    @property
    def scale(self) -> tuple[int, int]:
        return (0, 10) if self.dimension == "enps" else (1, 5)

    @property
    def dont_know_code(self) -> int | None:
        return None if self.dimension == "enps" else DONT_KNOW


# dimension, Danish text, English text, reverse scored, code early round, code late round,
# Danish text in the late round when reworded.
_CATALOGUE: tuple[tuple[str, str, str, bool, str | None, str | None, str | None], ...] = (
    ("tillid", "Jeg har tillid til min nærmeste leder", "I trust my immediate manager",
     False, "Q01", "Q01", None),
    ("tillid", "Ledelsen har tillid til, at medarbejderne gør et godt stykke arbejde",
     "Management trusts employees to do a good job", False, "Q02", "Q02", None),
    ("tillid", "Vi kan stole på hinanden i min enhed", "We can rely on each other in my unit",
     False, "Q03", "Q03", None),
    ("tillid", "Medarbejderne kan stole på de udmeldinger, der kommer fra ledelsen",
     "Employees can trust the statements from management", False, "Q04", "Q04", None),
    ("tillid", "Jeg kan sige min mening uden frygt for negative konsekvenser",
     "I can speak my mind without fear of negative consequences", False, None, "Q42", None),
    ("retfaerdighed", "Konflikter løses på en retfærdig måde", "Conflicts are resolved fairly",
     False, "Q05", "Q05", None),
    ("retfaerdighed", "Arbejdsopgaverne fordeles på en retfærdig måde", "Work is distributed fairly",
     False, "Q06", "Q06", None),
    ("retfaerdighed", "Forslag fra medarbejderne behandles seriøst af ledelsen",
     "Suggestions from employees are treated seriously by management", False, "Q07", "Q07", None),
    ("samarbejde", "Der er et godt samarbejde mellem kollegerne i min enhed",
     "Colleagues in my unit cooperate well", False, "Q08", "Q08", None),
    ("samarbejde", "Der er et godt samarbejde mellem min enhed og andre enheder",
     "My unit cooperates well with other units", False, "Q09", "Q09", None),
    ("samarbejde", "Vi hjælper hinanden, når der er travlt", "We help each other when busy",
     False, "Q10", "Q10", None),
    ("anerkendelse", "Mit arbejde bliver anerkendt og påskønnet af ledelsen",
     "My work is recognised and appreciated by management", False, "Q11", "Q11", None),
    ("anerkendelse", "Jeg får anerkendelse fra mine kolleger", "I get recognition from colleagues",
     False, "Q12", "Q12", None),
    ("anerkendelse", "Jeg får konstruktiv feedback på mit arbejde",
     "I get constructive feedback on my work", False, "Q13", "Q13", None),
    ("rolleklarhed", "Jeg ved, hvad der forventes af mig i mit arbejde",
     "I know what is expected of me at work", False, "Q14", "Q14", None),
    ("rolleklarhed", "Der er klare mål for mit arbejde", "There are clear goals for my work",
     False, "Q15", "Q15", None),
    ("rolleklarhed", "Jeg ved, hvordan mit arbejde bidrager til institutionens mål",
     "I know how my work contributes to the goals of the institution", False, "Q16", "Q41", None),
    ("rolleklarhed", "Jeg ved, hvem der har ansvaret for de opgaver, jeg arbejder med",
     "I know who is responsible for the tasks I work on", False, None, "Q43", None),
    ("laering", "Der er plads til at lære af fejl i min enhed",
     "There is room to learn from mistakes in my unit", False, "Q17", "Q17", None),
    ("laering", "Vi deler viden og erfaringer i min enhed", "We share knowledge in my unit",
     False, "Q18", "Q18", None),
    ("laering", "Jeg har mulighed for at afprøve nye måder at løse opgaverne på",
     "I can try new ways of solving my tasks", False, "Q19", None, None),
    ("ledelse", "Min nærmeste leder giver mig tilstrækkelig støtte",
     "My immediate manager gives me adequate support", False, "Q20", "Q20", None),
    ("ledelse", "Min nærmeste leder er god til at kommunikere",
     "My immediate manager communicates well", False, "Q21", "Q21", None),
    ("ledelse", "Min nærmeste leder involverer medarbejderne i beslutninger",
     "My immediate manager involves employees in decisions", False, "Q22", "Q22", None),
    ("ledelse", "Den øverste ledelse sætter en klar retning", "Top management sets a clear direction",
     False, "Q23", "Q23", "Direktionen sætter en klar retning for institutionen"),
    ("trivsel", "Jeg trives på min arbejdsplads", "I thrive at my workplace",
     False, "Q24", "Q24", None),
    ("trivsel", "Jeg føler mig ofte stresset på grund af mit arbejde",
     "I often feel stressed because of my work", True, "Q25", "Q25", None),
    ("trivsel", "Jeg har et godt fysisk og psykisk arbejdsmiljø", "I have a good work environment",
     False, "Q26", "Q26", None),
    ("trivsel", "Jeg kan adskille arbejde og fritid", "I can keep work and leisure apart",
     False, "Q27", None, None),
    ("engagement", "Jeg er motiveret for at gøre en ekstra indsats", "I am motivated to go the extra mile",
     False, "Q28", "Q28", None),
    ("engagement", "Jeg er stolt af at fortælle, hvor jeg arbejder",
     "I am proud to tell where I work", False, "Q29", "Q29", None),
    ("engagement", "Mit arbejde er meningsfuldt", "My work is meaningful", False, "Q30", "Q30", None),
    ("kompetenceudvikling", "Jeg har de kompetencer, mit arbejde kræver",
     "I have the competences my work requires", False, "Q31", "Q31", None),
    ("kompetenceudvikling", "Jeg har mulighed for faglig og personlig udvikling",
     "I have opportunities for professional and personal development", False, "Q32", "Q32", None),
    ("kompetenceudvikling", "Min leder følger op på aftaler fra MUS-samtalen",
     "My manager follows up on agreements from the development dialogue", False, "Q33", "Q33", None),
    ("kompetenceudvikling", "Jeg har fået den kompetenceudvikling, der blev aftalt ved min MUS",
     "I received the training agreed in my development dialogue", False, None, "Q44", None),
    ("arbejdspres", "Jeg har ofte for meget at lave", "I often have too much to do",
     True, "Q34", "Q34", None),
    ("arbejdspres", "Jeg kan nå mine arbejdsopgaver inden for normal arbejdstid",
     "I can finish my tasks within normal working hours", False, "Q35", "Q35", None),
    ("arbejdspres", "Jeg bliver ofte afbrudt i mit arbejde", "I am often interrupted in my work",
     True, "Q36", "Q36", None),
    ("enps", "Hvor sandsynligt er det, at du vil anbefale din arbejdsplads til en ven eller bekendt?",
     "How likely is it that you would recommend your workplace to a friend?",
     False, "Q37", "Q45", None),
)  # fmt: skip


def questions_for(late_round: bool) -> list[Question]:
    """The questions of the early (`False`) or late (`True`) round, in questionnaire order."""
    asked: list[Question] = []
    for dimension, text_da, text_en, reverse, early, late, late_text in _CATALOGUE:
        code = late if late_round else early
        if code is None:
            continue
        text = late_text if late_round and late_text else text_da
        asked.append(Question(code, dimension, text, text_en, reverse))
    return asked
