"""Names, addresses and organisation names from Faker's en_US word lists, drawn with our RNG.

Why not call Faker per taxpayer: a seeded ``Faker`` per household is slow (re-seeding and
provider dispatch cost more than the rest of a household), and its draws depend on Faker's
internal call order. We take only Faker's public *lists* (first names and surnames with their
frequency weights, street suffixes, city name parts, ZIP ranges per state, company formats)
and draw from them with the household's own ``random.Random``. The Faker version is recorded in
``db_meta`` because a new list would change the names a seed gives.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import faker
from faker.providers.address.en_US import Provider as _Address
from faker.providers.company.en_US import Provider as _Company
from faker.providers.person.en_US import Provider as _Person

FAKER_VERSION = faker.VERSION


class Weighted:
    """Draw from a list by frequency weight with one ``random()`` and a bisect."""

    def __init__(self, weights: Mapping[str, float] | Sequence[str]) -> None:
        if isinstance(weights, Mapping):
            self.items = tuple(weights)
            values = [float(w) for w in weights.values()]
        else:
            self.items = tuple(weights)
            values = [1.0] * len(self.items)
        self.cumulative = tuple(itertools.accumulate(values))

    def pick(self, rng: random.Random) -> str:
        x = rng.random() * self.cumulative[-1]
        return self.items[min(bisect.bisect_right(self.cumulative, x), len(self.items) - 1)]


FIRST_MALE = Weighted(_Person.first_names_male)
FIRST_FEMALE = Weighted(_Person.first_names_female)
SURNAMES = Weighted(_Person.last_names)
STREET_SUFFIXES = Weighted(_Address.street_suffixes)
CITY_PREFIXES = tuple(_Address.city_prefixes)
CITY_SUFFIXES = tuple(_Address.city_suffixes)
# the 50 states and DC (territories left out: their ZIP ranges and addressing differ)
STATES = tuple(s for s in _Address.states_abbr if s in _Address.states_postcode)
ZIP_RANGES: dict[str, tuple[int, int]] = {s: _Address.states_postcode[s] for s in STATES}
COMPANY_SUFFIXES = tuple(_Company.company_suffixes)
EO_KINDS = (
    "Community Foundation",
    "Food Bank",
    "Arts Council",
    "Youth League",
    "Historical Society",
    "Animal Rescue",
    "Literacy Project",
    "Garden Club",
    "Health Clinic",
    "Scholarship Fund",
)
CREDENTIALS = ("CPA", "EA", "ESQ")
LETTERS = "ABCDEFGHIJKLMNOPRSTW"


@dataclass(frozen=True, slots=True)
class Person:
    first: str
    middle: str
    surname: str
    female: bool

    @property
    def line(self) -> str:
        """IMF-style name line, upper case: ``JOHN Q SMITH``."""
        return f"{self.first} {self.middle} {self.surname}".upper()


@dataclass(frozen=True, slots=True)
class Address:
    street: str
    city: str
    state: str
    zip_code: str


def person(rng: random.Random, surname: str | None = None, female: bool | None = None) -> Person:
    is_female = rng.random() < 0.5 if female is None else female
    first = (FIRST_FEMALE if is_female else FIRST_MALE).pick(rng)
    return Person(first, rng.choice(LETTERS), surname or SURNAMES.pick(rng), is_female)


def address(rng: random.Random, state: str | None = None) -> Address:
    where = state or rng.choice(STATES)
    low, high = ZIP_RANGES[where]
    name = (FIRST_MALE if rng.random() < 0.5 else SURNAMES).pick(rng)
    street = f"{rng.randint(100, 99999)} {name} {STREET_SUFFIXES.pick(rng)}"
    if rng.random() < 0.2:
        street += f" {rng.choice(('Apt.', 'Suite'))} {rng.randint(1, 999)}"
    return Address(street, city(rng), where, f"{rng.randint(low, high):05d}")


def city(rng: random.Random) -> str:
    pattern = rng.randrange(4)
    first = FIRST_MALE.pick(rng)
    if pattern == 0:
        return f"{rng.choice(CITY_PREFIXES)} {first}{rng.choice(CITY_SUFFIXES)}"
    if pattern == 1:
        return f"{rng.choice(CITY_PREFIXES)} {first}"
    if pattern == 2:
        return f"{first}{rng.choice(CITY_SUFFIXES)}"
    return f"{SURNAMES.pick(rng)}{rng.choice(CITY_SUFFIXES)}"


def company(rng: random.Random) -> str:
    pattern = rng.randrange(3)
    if pattern == 0:
        return f"{SURNAMES.pick(rng)} {rng.choice(COMPANY_SUFFIXES)}"
    if pattern == 1:
        return f"{SURNAMES.pick(rng)}-{SURNAMES.pick(rng)}"
    return f"{SURNAMES.pick(rng)}, {SURNAMES.pick(rng)} and {SURNAMES.pick(rng)}"


def exempt_org(rng: random.Random) -> str:
    return f"{city(rng)} {rng.choice(EO_KINDS)}"


def representative(rng: random.Random) -> str:
    who = person(rng)
    return f"{who.first} {who.surname}, {rng.choice(CREDENTIALS)}".upper()
