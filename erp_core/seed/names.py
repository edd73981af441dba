"""Name pools for people and companies (deterministic picks from a seeded RNG; no external data)."""

from __future__ import annotations

import random

FIRST_US = ("James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
            "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Chris", "Karen",
            "Daniel", "Lisa", "Matthew", "Nancy", "Anthony", "Betty", "Mark", "Sandra", "Steven", "Ashley", "Paul",
            "Kimberly", "Andrew", "Emily", "Joshua", "Donna", "Kevin", "Michelle", "Brian", "Carmen", "Wei", "Priya",
            "Luis", "Aisha", "Kenji", "Fatima", "Diego", "Mei", "Arjun", "Zoe")
LAST_US = ("Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
           "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
           "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson",
           "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Chen",
           "Shah", "Tanaka", "Kowalski", "Russo", "Murphy", "Cohen", "Reyes", "Singh", "Ali")
FIRST_DE = ("Lukas", "Anna", "Felix", "Lea", "Maximilian", "Laura", "Paul", "Julia", "Jonas", "Sarah", "Leon",
            "Lisa", "Finn", "Marie", "Elias", "Sophie", "Noah", "Hannah", "Ben", "Emma", "Tim", "Katharina", "Jan",
            "Johanna", "Niklas", "Clara", "Moritz", "Lena", "David", "Mia", "Florian", "Nina", "Tobias", "Eva",
            "Stefan", "Sabine", "Markus", "Claudia", "Andreas", "Birgit", "Mehmet", "Aylin", "Piotr", "Olga",
            "Luca", "Giulia", "Ahmed", "Yasmin", "Erik", "Ingrid")
LAST_DE = ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
           "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann",
           "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt", "Werner", "Schmitz", "Krause", "Meier",
           "Lehmann", "Schmid", "Schulze", "Maier", "Köhler", "Herrmann", "König", "Walter", "Mayer", "Huber",
           "Kaiser", "Fuchs", "Peters", "Lang", "Scholz", "Möller", "Weiß", "Jung", "Hahn", "Yilmaz")

_PREFIX = ("Apex", "Blue", "Cedar", "Delta", "Evergreen", "Falcon", "Granite", "Harbor", "Iron", "Juniper", "Keystone",
           "Lakeside", "Meridian", "Nova", "Orion", "Pioneer", "Quantum", "Redwood", "Summit", "Titan", "Unity",
           "Vertex", "Willow", "Zenith", "Atlas", "Beacon", "Cobalt", "Dynamo", "Echo", "Frontier", "Golden",
           "Horizon", "Insight", "Jade", "Kinetic", "Lumen", "Matrix", "Nimbus", "Optima", "Polaris")
_CORE_US = ("Logistics", "Manufacturing", "Foods", "Health", "Energy", "Motors", "Aerospace", "Retail", "Systems",
            "Devices", "Packaging", "Plastics", "Metals", "Labs", "Pharma", "Textiles", "Electronics", "Freight")
_CORE_DE = ("Logistik", "Maschinenbau", "Handel", "Versicherung", "Energie", "Medizintechnik", "Bau", "Software",
            "Chemie", "Automotive", "Telekom", "Verlag", "Immobilien", "Finanz", "Pharma", "Textil", "Stahl")
_SUFFIX_US = ("Inc.", "LLC", "Corp.", "Co.", "Group")
_SUFFIX_DE = ("GmbH", "AG", "KG", "GmbH & Co. KG", "SE")


def person(rng: random.Random, german: bool) -> tuple[str, str]:
    return (rng.choice(FIRST_DE if german else FIRST_US), rng.choice(LAST_DE if german else LAST_US))


def company(rng: random.Random, german: bool, taken: set[str]) -> str:
    """A company name not yet in ``taken`` (which it updates)."""
    while True:
        core = rng.choice(_CORE_DE if german else _CORE_US)
        name = f"{rng.choice(_PREFIX)} {core} {rng.choice(_SUFFIX_DE if german else _SUFFIX_US)}"
        if name not in taken:
            taken.add(name)
            return name
