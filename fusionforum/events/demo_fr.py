"""French versions of the demo workshop's content (synthetic, like the English).

``FRENCH`` maps each English text the demo loaders write to its French version; the last demo
step (``events.demo.french_versions``) fills the ``*_fr`` column of every translated field of
the demo events from it (see core/translated_fields.py). Lists (registration options) and
disciplines are translated item by item. Typography: non-breaking spaces before « : ; ? ! »
are added by ``_typeset`` so the table stays readable.
"""

from __future__ import annotations

import re


def _typeset(text: str) -> str:
    """A non-breaking space before : ; ? ! (not in URLs or Markdown list markers)."""
    return re.sub(r" ([:;?!])(?=\s|$)", "\u00a0\\1", text)


_FRENCH = {
    # The event
    "Fusion Forum Demo Workshop": "Atelier de démonstration Fusion Forum",
    "Private fusion companies and a large fusion project, three days together (synthetic "
    "demonstration data)":
        "Entreprises privées de la fusion et grand projet international : trois jours "
        "ensemble (données de démonstration fictives)",
    "Demo Fusion Campus, Headquarters building (fictional)":
        "Campus Fusion de démonstration, bâtiment du siège (fictif)",
    "**This is a demonstration workshop. All organisations, people and figures are "
    "fictional.**\n\nThe workshop brings together private fusion companies, suppliers, public "
    "laboratories and\nagencies with the host organisation's experts. Companies present what "
    "they have achieved,\nwhat stands in their way and how a large international project can "
    "help.\n\n- **Days 1 and 2**: presentations and panels by approach (tokamak, stellarator, "
    "inertial and\n  alternative concepts), suppliers, and codes and standards.\n- **Day 3**: "
    "one-to-one meetings with in-house experts, and visits of the worksite.\n\nThe answers are "
    "distilled into an open report that other programmes can reuse.\n":
        "**Ceci est un atelier de démonstration. Tous les organismes, personnes et chiffres "
        "sont fictifs.**\n\nL’atelier réunit des entreprises privées de la fusion, des "
        "fournisseurs, des laboratoires publics\net des agences avec les experts de "
        "l’organisation hôte. Les entreprises présentent ce qu’elles ont\naccompli, ce qui "
        "leur fait obstacle et comment un grand projet international peut les aider.\n\n"
        "- **Jours 1 et 2** : exposés et tables rondes par approche (tokamak, stellarator, "
        "fusion inertielle\n  et concepts alternatifs), fournisseurs, codes et normes.\n"
        "- **Jour 3** : rencontres individuelles avec les experts de la maison et visites du "
        "site.\n\nLes réponses sont condensées dans un rapport ouvert que d’autres programmes "
        "peuvent réutiliser.\n",
    # Days and livestreams
    "Day 1: breakthroughs and challenges": "Jour 1 : avancées et défis",
    "Opening, company presentations and the tokamak and stellarator panels.":
        "Ouverture, présentations d’entreprises et tables rondes tokamak et stellarator.",
    "Day 2: supply chain, codes and standards": "Jour 2 : chaîne d’approvisionnement, codes et "
                                                "normes",
    "Inertial and alternative concepts, suppliers, licensing and codes and standards.":
        "Fusion inertielle et concepts alternatifs, fournisseurs, autorisations, codes et "
        "normes.",
    "Day 3: open doors": "Jour 3 : portes ouvertes",
    "Meetings with the experts, the main worksite tour and specialised tours.":
        "Rencontres avec les experts, visite principale du site et visites spécialisées.",
    "Plenary channel, days 1 and 2": "Plénière en direct, jours 1 et 2",
    "Day 3 worksite tour broadcast": "Visite du site en direct, jour 3",
    # Registration questions and their options
    "Job title": "Fonction",
    "Dietary requirements": "Régime alimentaire",
    "None": "Aucun",
    "Vegetarian": "Végétarien",
    "Vegan": "Végétalien",
    "Halal": "Halal",
    "Kosher": "Casher",
    "Other (tell us by e-mail)": "Autre (précisez-le-nous par e-mail)",
    "Which day-3 tours interest you?": "Quelles visites du jour 3 vous intéressent ?",
    "Main worksite tour": "Visite principale du site",
    "Repair workshops": "Ateliers de réparation",
    "Do you need a visa invitation letter?":
        "Avez-vous besoin d’une lettre d’invitation pour votre visa ?",
    "Nationality": "Nationalité",
    "Arrival date": "Date d’arrivée",
    # Call categories and the report's themes
    "Magnets and superconductors": "Aimants et supraconducteurs",
    "Materials and first wall": "Matériaux et première paroi",
    "Tritium and fuel cycle": "Tritium et cycle du combustible",
    "Remote handling and maintenance": "Manipulation à distance et maintenance",
    "Heating and current drive": "Chauffage et génération de courant",
    "Diagnostics and control": "Diagnostics et contrôle-commande",
    "Neutronics and shielding": "Neutronique et protections",
    "Licensing and nuclear safety": "Autorisations et sûreté nucléaire",
    "Supply chain and manufacturing": "Chaîne d’approvisionnement et fabrication",
    "Cryogenics and vacuum": "Cryogénie et vide",
    "Power systems": "Systèmes électriques",
    "Codes and standards": "Codes et normes",
    "Staff and skills": "Personnel et compétences",
    "Financing": "Financement",
    "Diagnostics and control, with staff and skills":
        "Diagnostics et contrôle-commande, personnel et compétences",
    # Programme sessions
    "Opening: welcome and the three questions": "Ouverture : accueil et les trois questions",
    "Welcome by the organisers and how the three questions feed the open outcomes report.":
        "Accueil par l’équipe d’organisation ; comment les trois questions nourrissent le "
        "rapport de résultats ouvert.",
    "Tokamak panel": "Table ronde tokamak",
    "Conventional and spherical tokamak developers: breakthroughs, remaining challenges and "
    "what a large project can share.":
        "Développeurs de tokamaks conventionnels et sphériques : avancées, défis restants et "
        "ce qu’un grand projet peut partager.",
    "Other approaches: pinches and field-reversed configurations":
        "Autres approches : striction et configurations à champ inversé",
    "Coffee break": "Pause café",
    "Stellarator panel": "Table ronde stellarator",
    "Optimised stellarators: coil manufacturing, symmetry and steady-state operation.":
        "Stellarators optimisés : fabrication des bobines, symétrie et fonctionnement en "
        "régime permanent.",
    "Inertial fusion": "Fusion inertielle",
    "Lunch": "Déjeuner",
    "Company presentations": "Présentations d’entreprises",
    "Suppliers and the supply chain": "Fournisseurs et chaîne d’approvisionnement",
    "Magnets, vacuum vessels, remote handling: what suppliers need to know.":
        "Aimants, chambres à vide, manipulation à distance : ce que les fournisseurs doivent "
        "savoir.",
    "Other approaches: magneto-inertial and beyond":
        "Autres approches : fusion magnéto-inertielle et au-delà",
    "Codes, standards and licensing": "Codes, normes et autorisations",
    "Licensing fusion machines, codes and standards, lessons from a nuclear-licensed project.":
        "Autoriser les machines de fusion, codes et normes : les leçons d’un projet soumis à "
        "l’autorisation nucléaire.",
    "Company presentations II": "Présentations d’entreprises II",
    "Closing: what ITER can do next": "Clôture : ce qu’ITER peut faire ensuite",
    "Summary of the answers to question 3 and next steps.":
        "Synthèse des réponses à la question 3 et prochaines étapes.",
    # Tours
    "Main tour: assembly hall and tokamak pit":
        "Visite principale : hall d’assemblage et puits du tokamak",
    "The assembly hall where the vacuum vessel sectors are joined, then the gallery above the "
    "tokamak pit. The tour everyone asks for (demo description, fictional site).":
        "Le hall d’assemblage, où sont réunis les secteurs de la chambre à vide, puis la "
        "galerie qui surplombe le puits du tokamak. La visite que tout le monde demande "
        "(description de démonstration, site fictif).",
    "Cryogenics plant": "Usine cryogénique",
    "The helium refrigerators and cold boxes that will cool the magnets to 4 K.":
        "Les réfrigérateurs à hélium et les boîtes froides qui refroidiront les aimants à "
        "4\u00a0K.",
    "Reactive power compensation": "Compensation de puissance réactive",
    "The static VAR compensators that keep the grid stable while the magnets ramp.":
        "Les compensateurs statiques qui stabilisent le réseau pendant la montée en courant "
        "des aimants.",
    "Magnet conversion buildings": "Bâtiments de conversion des aimants",
    "The converters that feed tens of kiloamperes to the superconducting coils.":
        "Les convertisseurs qui alimentent les bobines supraconductrices en dizaines de "
        "kiloampères.",
    "Workshops with ongoing repairs": "Ateliers de réparation en activité",
    "Where components are inspected and repaired; what you see depends on the day.":
        "Là où les composants sont inspectés et réparés ; ce que vous verrez dépend du jour.",
    # Expert disciplines (labels; the keys stay)
    "Magnets": "Aimants",
    "Cryogenics": "Cryogénie",
    "Vacuum": "Vide",
    "Remote handling": "Manipulation à distance",
    "Plasma control": "Contrôle du plasma",
    "Diagnostics": "Diagnostics",
    "Neutronics": "Neutronique",
    "Materials": "Matériaux",
    "Assembly": "Assemblage",
    "Power supplies": "Alimentations électriques",
    "Project management and supply chain": "Gestion de projet et chaîne d’approvisionnement",
    # The outcomes report
    "Outcomes report (synthetic demo)": "Rapport de résultats (démonstration, données fictives)",
    "*Demonstration report: every company, answer and figure is synthetic.*\n\nThe private "
    "developers who answered the call agree on where they stand: devices are being\nbuilt, and "
    "the hardest open problems are now engineering and industrial ones. The themes\nbelow "
    "group their answers to two questions, *which challenges remain* and *how ITER can\nhelp*; "
    "the share under each theme is the fraction of submitting organisations behind it.\n\n"
    "Aggregate-only answers are counted but never quoted; confidential answers are left out.\n"
    "\n## What we heard\n\n- Demand concentrates on a few subjects where ITER has built unique "
    "experience.\n- Smaller developers ask for access to data and test facilities more than "
    "for advice.\n- Supply chain and licensing questions cut across every fusion approach.\n":
        "*Rapport de démonstration : entreprises, réponses et chiffres sont tous fictifs.*\n\n"
        "Les développeurs privés qui ont répondu à l’appel s’accordent sur leur situation : des "
        "machines\nsont en construction, et les problèmes les plus difficiles sont désormais "
        "techniques et industriels.\nLes thèmes ci-dessous regroupent leurs réponses à deux "
        "questions, *quels défis restent à relever*\net *comment ITER peut aider* ; la part "
        "indiquée pour chaque thème est la proportion des organismes\nayant soumis une "
        "proposition qui s’y retrouvent.\n\nLes réponses « agrégé uniquement » sont comptées "
        "mais jamais citées ; les réponses confidentielles\nsont écartées.\n\n"
        "## Ce que nous avons entendu\n\n- La demande se concentre sur quelques sujets où ITER "
        "a acquis une expérience unique.\n- Les petits développeurs demandent un accès aux "
        "données et aux installations d’essai plutôt\n  que des conseils.\n- Les questions de "
        "chaîne d’approvisionnement et d’autorisation concernent toutes les approches\n  de la "
        "fusion.\n",
}

FRENCH = {english: _typeset(french) for english, french in _FRENCH.items()}
# « guillemets » take non-breaking spaces inside.
FRENCH = {k: v.replace("« ", "«\u00a0").replace(" »", "\u00a0»") for k, v in FRENCH.items()}


def in_french(value):
    """The French version of one demo value (a text, a list of texts, a list of
    disciplines), or None when some part of it has none."""
    if isinstance(value, str):
        return FRENCH.get(value)
    if isinstance(value, list) and value:
        if all(isinstance(item, str) for item in value):
            items = [FRENCH.get(item) for item in value]
            return items if None not in items else None
        if all(isinstance(item, dict) and "label" in item for item in value):
            labels = [FRENCH.get(item["label"]) for item in value]
            return [{**item, "label": label} for item, label in zip(value, labels, strict=True)] \
                if None not in labels else None
    return None
