"""Spreadsheet import of the registry: stations, elders, caregivers, service types, care plans.

``run_import(session, ENTITIES["stations"], "stations.csv", data)`` checks the whole file
first and writes nothing unless every row is good.
"""

from __future__ import annotations

from carehub.registry.imports.care_plans import CarePlans
from carehub.registry.imports.caregivers import Caregivers
from carehub.registry.imports.elders import Elders
from carehub.registry.imports.entity import Entity
from carehub.registry.imports.importer import run_import
from carehub.registry.imports.result import ImportResult, RowError
from carehub.registry.imports.service_types import ServiceTypes
from carehub.registry.imports.stations import Stations

ENTITIES: dict[str, type[Entity]] = {
    entity.name: entity for entity in (Stations, Elders, Caregivers, ServiceTypes, CarePlans)
}

__all__ = ["ENTITIES", "Entity", "ImportResult", "RowError", "run_import"]
