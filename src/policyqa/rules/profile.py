"""Enterprise profiles: who is asking, and the figures they already know, validated.

Owns the `EnterpriseProfile` schema (the JSON file of `policyqa match`, the body of `POST
/match`), its money and rate validators (negative, non-finite or absurd figures are refused
while the input is still what was sent) and `load_profile`. Never matches a profile against
the rules: that is `rules.match`.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator

from policyqa.rules.calc import MAX_AMOUNT_YUAN
from policyqa.rules.model import SUBJECT_TYPES
from policyqa.rules.money import MoneyParseError, parse_amount, parse_rate


class ProfileError(Exception):
    """An enterprise profile file that cannot be read or validated; the message says what to fix."""


def _money(value: Any) -> Any:
    """A profile figure as a Decimal; refused here, while the input is still what was sent,
    when it is negative ("-80万元", "负80万元") or not a finite number ("NaN")."""
    if isinstance(value, str):
        text = value.strip()
        # ASCII hyphen, the minus sign U+2212, the full-width hyphen, and 负/負.
        if text.startswith(("-", "\u2212", "\uff0d", "负", "負")):
            raise ValueError(f"金额不能为负数：{text}")
        try:
            number = Decimal(text.replace(",", ""))
        except ArithmeticError:
            try:
                return parse_amount(text)
            except MoneyParseError as e:
                raise ValueError(str(e)) from e
        if not number.is_finite():
            raise ValueError(f"金额不是有效数值：{text}")
        return number
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("金额不是有效数值")
        return Decimal(str(value))
    return value


def _check_money(value: Decimal) -> Decimal:
    if not value.is_finite():
        raise ValueError("金额不是有效数值")
    if value < 0:
        raise ValueError(f"金额不能为负数：{value}")
    if value > MAX_AMOUNT_YUAN:
        raise ValueError(f"金额{value}超过1万亿元，请检查单位（金额以元为单位）")
    return value


def _rate_value(value: Any) -> Any:
    if isinstance(value, str) and ("%" in value or "百分之" in value):
        try:
            return parse_rate(value)
        except MoneyParseError as e:
            raise ValueError(str(e)) from e
    return _money(value)


Money = Annotated[Decimal, BeforeValidator(_money)]


class EnterpriseProfile(BaseModel):
    """Who is asking: region, subject types, industry, and any figures they already know.

    Figures are keyed by the rules' input names and are in yuan (strings like "300万元" are
    accepted); negative or absurd (> 1万亿元) figures are rejected.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str | None = None
    region: str = Field(min_length=1)
    subject_types: tuple[str, ...] = Field(min_length=1)
    industry: str | None = None
    level: Literal["国家级", "省级"] | None = None
    award_grade: Literal["一等奖", "二等奖"] | None = None
    operating_cost_yuan: Money | None = None
    operating_years: int | None = Field(default=None, ge=1, le=100)
    provincial_award_yuan: Money | None = None
    shared_instrument_fee_yuan: Money | None = None
    service_total_yuan: Money | None = None
    provincial_rd_subsidy_yuan: Money | None = None
    rd_investment_yuan: Money | None = None
    rd_investment_prev_yuan: Money | None = None
    cultivated_count: int | None = Field(default=None, ge=0, le=100_000)
    first_round_investment_yuan: Money | None = None
    investment_loss_yuan: Money | None = None
    bad_loan_principal_loss_yuan: Money | None = None
    provincial_compensation_rate: Annotated[Decimal, BeforeValidator(_rate_value)] | None = Field(
        default=None, ge=0, le=1
    )
    loan_interest_yuan: Money | None = None
    loan_principal_yuan: Money | None = None
    horizontal_project_paid_yuan: tuple[Money, ...] = ()
    project_sci_tech_investment_yuan: Money | None = None

    @field_validator("subject_types")
    @classmethod
    def _known(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [s for s in value if s not in SUBJECT_TYPES]
        if unknown:
            raise ValueError(f"未知的主体类型 {unknown}；可选：{'、'.join(SUBJECT_TYPES)}")
        return value

    @field_validator(
        "operating_cost_yuan",
        "provincial_award_yuan",
        "shared_instrument_fee_yuan",
        "service_total_yuan",
        "provincial_rd_subsidy_yuan",
        "rd_investment_yuan",
        "rd_investment_prev_yuan",
        "first_round_investment_yuan",
        "investment_loss_yuan",
        "bad_loan_principal_loss_yuan",
        "loan_interest_yuan",
        "loan_principal_yuan",
        "project_sci_tech_investment_yuan",
    )
    @classmethod
    def _money_range(cls, value: Decimal | None) -> Decimal | None:
        return None if value is None else _check_money(value)

    @field_validator("horizontal_project_paid_yuan")
    @classmethod
    def _money_list(cls, value: tuple[Decimal, ...]) -> tuple[Decimal, ...]:
        return tuple(_check_money(v) for v in value)

    def figures(self) -> dict[str, Any]:
        """The rule inputs this profile gives (only those that are set)."""
        skip = {"name", "region", "subject_types", "industry"}
        out: dict[str, Any] = {}
        for name, value in self.model_dump().items():
            if name in skip or value is None or value == ():
                continue
            out[name] = list(value) if isinstance(value, tuple) else value
        return out


def load_profile(path: Path) -> EnterpriseProfile:
    """Read an enterprise profile from a JSON file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise ProfileError(f"找不到企业画像文件 {path}") from e
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ProfileError(f"{path} 不是有效的 UTF-8 JSON：{e}") from e
    try:
        return EnterpriseProfile.model_validate(data)
    except ValidationError as e:
        raise ProfileError(f"{path} 的企业画像有误：{e}") from e
