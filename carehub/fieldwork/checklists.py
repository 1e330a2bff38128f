"""What a caregiver ticks off for each service type.

The default lists are loaded once for the default service types; administrators may
change them afterwards, and a reload never overwrites a service type that has items.
"""

from __future__ import annotations

from sqlalchemy import select

from carehub.db import AnySession
from carehub.fieldwork.models import ChecklistItem
from carehub.registry.models import ServiceType

# service code -> [(item code, Chinese, English)]
DEFAULTS: dict[str, list[tuple[str, str, str]]] = {
    "meal_delivery": [
        ("meal_handed", "餐食已交到老人手中", "Meal handed to the elder"),
        ("meal_warm", "餐食温度合适", "Meal still warm"),
        ("diet_checked", "核对忌口与特殊饮食", "Diet restrictions checked"),
    ],
    "cleaning": [
        ("floors", "清扫拖地", "Floors swept and mopped"),
        ("kitchen", "清洁厨房灶台", "Kitchen and stove cleaned"),
        ("bathroom", "清洁卫生间", "Bathroom cleaned"),
        ("rubbish", "垃圾带走", "Rubbish taken out"),
    ],
    "bathing": [
        ("water_temp", "水温试过", "Water temperature tested"),
        ("skin_checked", "检查皮肤有无压疮", "Skin checked for pressure sores"),
        ("dressed", "协助穿衣", "Helped to dress"),
        ("floor_dry", "地面擦干防滑", "Floor dried against slips"),
    ],
    "health_check": [
        ("blood_pressure", "测量血压", "Blood pressure measured"),
        ("blood_sugar", "测量血糖", "Blood sugar measured"),
        ("medication", "核对用药", "Medication checked"),
    ],
    "companionship": [
        ("talk", "聊天陪伴", "Talked with the elder"),
        ("walk", "陪同散步", "Went for a walk"),
        ("mood", "留意情绪变化", "Mood observed"),
    ],
    "emergency": [
        ("safety", "确认老人安全", "Elder's safety confirmed"),
        ("family_called", "已联系家属", "Family called"),
        ("doctor_called", "需要时已呼叫120", "Ambulance called if needed"),
    ],
}


def load_defaults(session: AnySession) -> int:
    """Give each default service type without a checklist its default items; return how many."""
    added = 0
    for service_type in session.scalars(
        select(ServiceType).where(ServiceType.code.in_(DEFAULTS.keys()))
    ):
        if items_for(session, service_type.id):
            continue
        for position, (code, zh, en) in enumerate(DEFAULTS[service_type.code]):
            session.add(
                ChecklistItem(
                    service_type_id=service_type.id,
                    position=position,
                    code=code,
                    label_zh=zh,
                    label_en=en,
                )
            )
            added += 1
    session.flush()
    return added


def items_for(session: AnySession, service_type_id: int) -> list[ChecklistItem]:
    return list(
        session.scalars(
            select(ChecklistItem)
            .where(ChecklistItem.service_type_id == service_type_id)
            .order_by(ChecklistItem.position, ChecklistItem.id)
        )
    )
