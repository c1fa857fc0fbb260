"""Danish names and the words of a Danish state institution: units, jobs, findings, goals."""

from __future__ import annotations

FEMALE_FIRST_NAMES = (
    "Anne", "Mette", "Kirsten", "Hanne", "Susanne", "Lene", "Maria", "Marianne", "Camilla",
    "Pia", "Louise", "Charlotte", "Tina", "Gitte", "Bente", "Helle", "Ida", "Emma", "Sofie",
    "Julie", "Karen", "Birgitte", "Signe", "Line", "Malene", "Dorthe", "Åse", "Sørine",
    "Bodil", "Jytte", "Lærke", "Ellen", "Nanna", "Rikke", "Trine", "Astrid", "Frida", "Ditte",
    "Mathilde", "Cecilie", "Søs", "Gry", "Inge", "Tove", "Lis", "Bjørg",
)  # fmt: skip
MALE_FIRST_NAMES = (
    "Peter", "Jens", "Lars", "Michael", "Henrik", "Thomas", "Søren", "Jan", "Niels", "Anders",
    "Morten", "Jesper", "Mads", "Rasmus", "Christian", "Martin", "Per", "Ole", "Hans", "Kim",
    "Bo", "Torben", "Frederik", "Mikkel", "Jørgen", "Bjørn", "Øjvind", "Kåre", "Asger", "Emil",
    "Jonas", "Casper", "Kasper", "Poul", "Erik", "Knud", "Steen", "Ulrik", "Troels", "Claus",
    "Aksel", "Bent", "Flemming", "Gorm", "Halfdan", "Tue",
)  # fmt: skip
LAST_NAMES = (
    "Nielsen", "Jensen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen",
    "Rasmussen", "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen", "Thomsen",
    "Christiansen", "Poulsen", "Johansen", "Møller", "Mortensen", "Knudsen", "Jakobsen",
    "Mikkelsen", "Frederiksen", "Laursen", "Henriksen", "Lund", "Schmidt", "Eriksen", "Holm",
    "Kristiansen", "Clausen", "Simonsen", "Svendsen", "Andreasen", "Østergaard", "Bækgaard",
    "Højgaard", "Nørgaard", "Søndergaard", "Kjær", "Brøndum", "Dahl", "Skov", "Bech", "Lauridsen",
    "Thygesen", "Fogh", "Græsbøll", "Østergård", "Ågård", "Bærentsen", "Kjærsgaard", "Damgaard",
    "Vestergaard", "Friis", "Juhl", "Krogh", "Lindholm", "Mølgaard", "Ravn", "Steffensen",
    "Thorsø", "Aagaard", "Bisgaard", "Dræby", "Gjørup", "Hjøllund", "Krøyer", "Løkke",
)  # fmt: skip

INSTITUTIONS = (
    ("Styrelsen for Arbejdsmiljødata", "sad.dk"),
    ("Departementet for Offentlig Forvaltning", "dof.dk"),
    ("Agenturet for Digital Service", "ads.dk"),
    ("Styrelsen for Kvalitet og Tilsyn", "skt.dk"),
    ("Nationalt Center for Registre", "ncr.dk"),
    ("Styrelsen for Økonomisk Styring", "soes.dk"),
    ("Direktoratet for Ejendomme", "dfe.dk"),
    ("Styrelsen for Uddannelsesdata", "sud.dk"),
    ("Institut for Statistik og Analyse", "isa.dk"),
)

DEPARTMENT_SUBJECTS = (
    "Økonomi", "HR og Organisation", "Jura", "Digitalisering", "Drift", "Tilsyn", "Analyse",
    "Kommunikation", "Borgerservice", "Data", "Strategi", "Kontrol", "Udvikling", "Regnskab",
    "Sagsbehandling", "Ejendomme", "Indkøb", "Forskning", "Internationalt samarbejde", "IT-sikkerhed",
)  # fmt: skip
OFFICE_NAMES = (
    "Bogholderiet", "Lønkontoret", "Kontor for Udbud", "Kontor for Arbejdsmiljø", "Juridisk Kontor",
    "Kontor for Styring", "Kontor for Regnskab", "Kontor for Databeskyttelse", "Rekrutteringskontoret",
    "Kontor for Brugerservice", "Kontor for Digitale Løsninger", "Kontor for Tilsynsplanlægning",
    "Kontor for Klagesager", "Kontor for Statistik", "Sekretariatet", "Kontor for Ejendomsdrift",
    "Kontor for Analyse og Prognoser", "Kontor for Kvalitet", "Kontor for Økonomistyring",
    "Kontor for Kompetenceudvikling", "Kontor for Infrastruktur", "Kontor for Registre",
)  # fmt: skip
TEAM_NAMES = (
    "Nord", "Syd", "Øst", "Vest", "Midt", "Løn", "Betalinger", "Support", "Drift", "Udvikling",
    "Sagsbehandling", "Kvalitet", "Data", "Kontrol", "Service", "Kunder", "Projekter", "Arkiv",
    "Jura", "Analyse", "Fællesskab", "Kørsel", "Bygninger", "Indkøb", "Åben dialog", "Ønsker",
)  # fmt: skip

JOB_TITLES = {
    "AC": ("Fuldmægtig", "Specialkonsulent", "Chefkonsulent", "Jurist", "Økonom", "Analytiker"),
    "HK": ("Assistent", "Overassistent", "Administrativ medarbejder", "Sekretær", "Kontorfuldmægtig"),
    "IT": ("IT-konsulent", "Systemudvikler", "IT-supporter", "IT-arkitekt", "Dataingeniør"),
    "Teknik": ("Tekniker", "Ingeniør", "Håndværker", "Servicemedarbejder", "Laborant"),
}
MANAGER_TITLES = {
    "institution": "Direktør",
    "afdeling": "Afdelingschef",
    "kontor": "Kontorchef",
    "team": "Teamleder",
}
MULTILINE_JOB_TITLE = "Specialkonsulent,\nprojektleder (økonomi)"

PAY_GRADES = ("32", "35", "37", "Lr. 38", "39", "Lr. 41", "36")

COMPETENCE_TITLES = {
    "kursus": ("Excel for øvede", "Projektledelse", "Forvaltningsret", "Klarsprog", "GDPR i praksis",
               "Mødeledelse", "Konflikthåndtering", "Power BI grundkursus", "Stresshåndtering"),
    "uddannelse": ("Diplom i ledelse", "Master i offentlig ledelse", "Akademiuddannelse i økonomi",
                   "Diplom i projektledelse"),
    "konference": ("Løndage", "Digitaliseringskonferencen", "Arbejdsmiljøkonferencen",
                   "Offentlig Ledelse 2.0"),
    "sidemandsoplæring": ("Oplæring i sagssystem", "Oplæring i lønsystem", "Introforløb"),
}  # fmt: skip

EXTERNAL_INSTITUTIONS = ("SKST", "DIGST", "KL", "REGH", "MFVM")

APV_FINDINGS = {
    "psykisk": ("Højt arbejdspres i perioder", "Uklare forventninger til opgaverne",
                "Mange afbrydelser i arbejdet", "Oplevelse af manglende anerkendelse",
                "Konflikter i teamet"),
    "fysisk": ("Støj i kontorlandskabet", "Tunge løft ved flytning af arkivkasser",
               "Manglende plads ved arbejdsstationerne"),
    "ergonomisk": ("Dårlige stole", "Hæve-sænkeborde virker ikke", "For små skærme",
                   "Ensidigt gentaget arbejde ved scanning"),
    "kemisk": ("Opbevaring af rengøringsmidler", "Lugt fra printere"),
    "biologisk": ("Skimmel i kælderlokale", "Utilstrækkelig rengøring af køkken"),
    "ulykkesrisiko": ("Glat trappe ved indgangen", "Løse kabler på gulvet", "Manglende gelænder"),
    "indeklima": ("Træk fra vinduer", "For høj temperatur om sommeren", "Dårlig udluftning"),
    "andet": ("Utryghed ved alenearbejde", "Manglende introduktion af nye kolleger"),
}  # fmt: skip
APV_ACTIONS = {
    "psykisk": ("Planlægning af spidsbelastning", "Drøftelse på personalemøde",
                "Forventningsafstemning ved MUS", "Workshop om samarbejde"),
    "fysisk": ("Lyddæmpning", "Indkøb af løftevogn", "Ny indretning"),
    "ergonomisk": ("Indkøb af stole", "Reparation af borde", "Ergonomisk gennemgang"),
    "kemisk": ("Nyt aflåst skab", "Service på printere"),
    "biologisk": ("Rengøring og måling", "Ny rengøringsaftale"),
    "ulykkesrisiko": ("Skridsikker belægning", "Kabelbakker", "Opsætning af gelænder"),
    "indeklima": ("Tætning", "Solafskærmning", "Eftersyn af ventilation"),
    "andet": ("Retningslinje for alenearbejde", "Nyt introduktionsprogram"),
}  # fmt: skip
APV_ROLES = ("leder", "arbejdsmiljørepræsentant", "leder", "AMU", "HR", "kontorchef")

GOALS = (
    ("Sagsbehandlingstid", "dage", 30.0, False),
    ("Rettidig betaling af fakturaer", "%", 95.0, True),
    ("Brugertilfredshed", "%", 80.0, True),
    ("Afsluttede tilsyn", "stk", 120.0, True),
    ("Digitale selvbetjeningsløsninger", "stk", 6.0, True),
    ("Svartid i telefonen", "minutter", 4.0, False),
    ("Gennemførte MUS-samtaler", "%", 90.0, True),
    ("Sygefravær", "dage pr. årsværk", 7.5, False),
    ("Budgetoverholdelse", "%", 100.0, True),
    ("Omgørelsesprocent i klagesager", "%", 10.0, False),
)

COMMITTEE_ROLES = ("leder", "TR", "AMR", "medarbejderrepræsentant", "medarbejderrepræsentant",
                   "HR-konsulent", "medarbejderrepræsentant", "AMR", "TR")  # fmt: skip
ACTION_OWNERS = ("leder", "leder", "AMR", "TR", "HR", "sekretariatet", "kontorchef")


def ascii_fold(text: str) -> str:
    """Danish letters as they are spelled in e-mail addresses."""
    return (
        text.lower()
        .replace("æ", "ae")
        .replace("ø", "oe")
        .replace("å", "aa")
        .replace(" ", "")
        .replace("-", "")
    )
