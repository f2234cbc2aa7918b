"""Demo seed: a realistic union hierarchy with 200+ grassroots unions and 2,000+ cadres.

Deterministic (seeded random, fixed dates) and upserted by code through the importer, so running
``lms demo`` again changes nothing.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta

from lms.core.i18n import fold
from lms.demo import demo_step
from lms.org.importer import CadreRow, UnitRow, import_rows
from lms.org.models import Employment, Gender, Position

SEED = 20261123
LEVEL_TLD = "Tổng Liên đoàn"
LEVEL_PROVINCE = "LĐLĐ tỉnh/thành phố"
LEVEL_SECTOR = "Công đoàn ngành trung ương"
LEVEL_UPPER = "Công đoàn cấp trên trực tiếp cơ sở"
LEVEL_BASE = "Công đoàn cơ sở"

#: the province a demo manager is scoped to, and the cadre the demo learner studies as
MANAGER_UNIT = "HN"
LEARNER_CADRE = "CB000001"

PROVINCES = [
    ("HN", "Liên đoàn Lao động thành phố Hà Nội"),
    ("CB", "Liên đoàn Lao động tỉnh Cao Bằng"),
    ("HCM", "Liên đoàn Lao động Thành phố Hồ Chí Minh"),
]
#: (code, name, parent, kind of its grassroots unions, how many)
UPPER = [
    ("HN-KCN", "Công đoàn các Khu công nghiệp và chế xuất Hà Nội", "HN", "company", 40),
    ("HN-GD", "Công đoàn ngành Giáo dục Hà Nội", "HN", "school", 20),
    ("HN-YT", "Công đoàn ngành Y tế Hà Nội", "HN", "health", 12),
    ("HN-VC", "Công đoàn Viên chức thành phố Hà Nội", "HN", "office", 12),
    ("CB-GD", "Công đoàn ngành Giáo dục tỉnh Cao Bằng", "CB", "school", 15),
    ("CB-YT", "Công đoàn ngành Y tế tỉnh Cao Bằng", "CB", "health", 10),
    ("CB-VC", "Công đoàn Viên chức tỉnh Cao Bằng", "CB", "office", 12),
    ("HCM-KCX", "Công đoàn các Khu chế xuất và công nghiệp Thành phố Hồ Chí Minh", "HCM", "company", 40),
    ("HCM-GD", "Công đoàn ngành Giáo dục Thành phố Hồ Chí Minh", "HCM", "school", 20),
    ("HCM-YT", "Công đoàn ngành Y tế Thành phố Hồ Chí Minh", "HCM", "health", 12),
    ("HCM-CNC", "Công đoàn Khu công nghệ cao Thành phố Hồ Chí Minh", "HCM", "company", 15),
]
SECTOR = ("CDGDVN", "Công đoàn Giáo dục Việt Nam")
UNIVERSITIES = ["Đại học Sư phạm Hà Nội", "Đại học Sư phạm Thành phố Hồ Chí Minh", "Đại học Huế",
                "Đại học Thái Nguyên", "Đại học Đà Nẵng", "Trường Đại học Vinh", "Trường Đại học Quy Nhơn",
                "Trường Đại học Tây Bắc", "Trường Đại học Cần Thơ", "Trường Đại học Hà Nội",
                "Trường Đại học Mỏ - Địa chất", "Trường Đại học Giao thông vận tải",
                "Trường Đại học Sư phạm Kỹ thuật Hưng Yên", "Trường Đại học Nha Trang", "Trường Đại học Tây Nguyên"]
PLACES = {
    "HN": ["Đống Đa", "Hoàn Kiếm", "Cầu Giấy", "Long Biên", "Hà Đông", "Sơn Tây", "Đông Anh", "Gia Lâm",
           "Thanh Trì", "Sóc Sơn", "Ba Vì", "Mê Linh", "Thạch Thất", "Chương Mỹ"],
    "CB": ["Hòa An", "Trùng Khánh", "Bảo Lạc", "Hà Quảng", "Quảng Hòa", "Nguyên Bình", "Thạch An", "Hạ Lang",
           "Bảo Lâm", "Thục Phán", "Nùng Trí Cao", "Tân Giang"],
    "HCM": ["Thủ Đức", "Bình Thạnh", "Gò Vấp", "Tân Bình", "Bình Chánh", "Củ Chi", "Hóc Môn", "Nhà Bè",
            "Sài Gòn", "Chợ Lớn", "Tân Định", "Bến Thành", "Phú Nhuận", "Bình Tân"],
}
INDUSTRIES = ["May", "Điện tử", "Cơ khí", "Thực phẩm", "Bao bì", "Nhựa", "Dệt", "Giày da", "Dược phẩm",
              "Linh kiện ô tô", "Thép", "Đồ gỗ"]
BRANDS = ["Việt Tiến", "Hồng Hà", "Thăng Long", "Sông Hồng", "Phú Thịnh", "An Phát", "Tân Thành", "Minh Long",
          "Đại Việt", "Hưng Thịnh", "Thành Công", "Bình Minh", "Sao Vàng", "Trường Sơn", "Hòa Bình", "Phương Nam",
          "Kim Long", "Nam Việt", "Đông Á", "Hải Âu"]
COMPANY_FORMS = ["TNHH", "Cổ phần", "TNHH MTV"]
SCHOOL_KINDS = ["Mầm non", "Tiểu học", "THCS", "THPT"]
PATRONS = ["Nguyễn Du", "Lê Quý Đôn", "Chu Văn An", "Trần Phú", "Lê Lợi", "Nguyễn Trãi", "Quang Trung",
           "Lý Thường Kiệt", "Trần Hưng Đạo", "Võ Thị Sáu", "Ngô Quyền", "Hai Bà Trưng", "Phan Bội Châu",
           "Phan Chu Trinh", "Lê Hồng Phong", "Kim Đồng", "Nguyễn Bỉnh Khiêm", "Lương Thế Vinh", "Trưng Vương"]
OFFICES = ["Sở Tài chính", "Sở Xây dựng", "Sở Nội vụ", "Sở Tư pháp", "Sở Nông nghiệp và Môi trường",
           "Sở Văn hóa, Thể thao và Du lịch", "Sở Khoa học và Công nghệ", "Sở Công Thương", "Sở Giáo dục và Đào tạo",
           "Sở Y tế", "Văn phòng Ủy ban nhân dân", "Thanh tra", "Kho bạc Nhà nước khu vực", "Sở Dân tộc và Tôn giáo"]
SURNAMES = [("Nguyễn", 38), ("Trần", 11), ("Lê", 9), ("Phạm", 7), ("Hoàng", 5), ("Vũ", 4), ("Phan", 4),
            ("Huỳnh", 3), ("Võ", 3), ("Đặng", 2), ("Bùi", 2), ("Đỗ", 2), ("Ngô", 2), ("Hồ", 2), ("Dương", 1),
            ("Lý", 1), ("Đinh", 1), ("Trịnh", 1)]
#: Tày and Nùng surnames, common in Cao Bằng
SURNAMES_CB = [("Nông", 12), ("Hoàng", 10), ("Lục", 5), ("Bế", 5), ("Đàm", 4), ("Triệu", 4), ("Lương", 4),
               ("Mã", 3), ("Nguyễn", 10), ("Lô", 2), ("Hà", 3)]
MIDDLE = {Gender.male: ["Văn", "Đức", "Minh", "Quốc", "Hữu", "Công", "Thanh", "Xuân", "Ngọc", "Anh", "Trọng"],
          Gender.female: ["Thị", "Thị", "Thị", "Thu", "Ngọc", "Thanh", "Minh", "Kim", "Phương", "Thùy", "Hồng"]}
GIVEN = {Gender.male: ["Hùng", "Dũng", "Tuấn", "Minh", "Nam", "Hải", "Long", "Thắng", "Cường", "Sơn", "Quang",
                       "Trung", "Hiếu", "Phong", "Đạt", "Khánh", "Tùng", "Huy", "Bình", "Thành", "Việt", "Kiên"],
         Gender.female: ["Lan", "Hương", "Hoa", "Mai", "Hà", "Linh", "Thảo", "Trang", "Nhung", "Hằng", "Yến",
                         "Ngọc", "Thủy", "Huyền", "Phương", "Dung", "Oanh", "Vân", "Hạnh", "Loan", "Nga"]}
#: share of women among cadres by kind of grassroots union
FEMALE_SHARE = {"company": 0.6, "school": 0.75, "health": 0.65, "office": 0.45, "university": 0.5, "federation": 0.45}
APPOINTED_FROM, APPOINTED_TO = date(2019, 1, 1), date(2026, 10, 31)


class _Cadres:
    """Generates cadres with consecutive codes from one seeded random source."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.rows: list[CadreRow] = []

    def person(self, province: str, kind: str) -> tuple[str, str]:
        rng = self.rng
        gender = Gender.female if rng.random() < FEMALE_SHARE[kind] else Gender.male
        names, weights = zip(*(SURNAMES_CB if province == "CB" else SURNAMES), strict=True)
        surname = rng.choices(names, weights)[0]
        middle, given = rng.choice(MIDDLE[gender]), rng.choice(GIVEN[gender])
        while fold(given) == fold(middle):
            given = rng.choice(GIVEN[gender])
        full_name = f"{surname} {middle} {given}"
        return full_name, gender.value

    def add(self, unit: str, province: str, kind: str, position: Position, employment: Employment) -> None:
        rng = self.rng
        full_name, gender = self.person(province, kind)
        code = f"CB{len(self.rows) + 1:06d}"
        birth = date(1968, 1, 1) + timedelta(days=rng.randrange(0, 365 * 32))
        # a third appointed in the last 18 months, so compliance shows "not yet due" and "due soon" too
        start = date(2025, 5, 1) if rng.random() < 0.33 else APPOINTED_FROM
        appointed = start + timedelta(days=rng.randrange(0, (APPOINTED_TO - start).days))
        email = phone = None
        if rng.random() < 0.45:
            given = fold(full_name.split()[-1]).replace(" ", "")
            initials = "".join(fold(p)[0] for p in full_name.split()[:-1])
            email = f"{given}.{initials}{len(self.rows) + 1}@{'congdoan.vn' if rng.random() < 0.5 else 'gmail.com'}"
        if rng.random() < 0.6:
            phone = f"09{rng.randrange(10**7, 10**8)}"
        self.rows.append(CadreRow(
            row=len(self.rows) + 2, code=code, full_name=full_name, gender=gender, birth_date=birth, email=email,
            phone=phone, unit=unit, position=position.value, employment=employment.value,
            is_key=position in (Position.chair, Position.vice_chair), appointed_on=appointed,
            active=rng.random() > 0.01))

    def grassroots(self, unit: str, province: str, kind: str) -> None:
        """A chair, 1–2 vice-chairs, executive and inspection members, group leaders and an ATVSV."""
        rng, part = self.rng, Employment.part_time
        mix = [(Position.chair, 1), (Position.vice_chair, rng.randint(1, 2)),
               (Position.executive_member, rng.randint(2, 6)), (Position.inspection_member, rng.randint(0, 2)),
               (Position.group_leader, rng.randint(2, 5)), (Position.deputy_group_leader, rng.randint(0, 2)),
               (Position.osh_officer, 1)]
        for position, count in mix:
            for _ in range(count):
                self.add(unit, province, kind, position, part)

    def federation(self, unit: str, province: str, staff: int) -> None:
        """Full-time cadres of a federation or upper-level union: chair, vice-chairs, officers."""
        full = Employment.full_time
        self.add(unit, province, "federation", Position.chair, full)
        for _ in range(self.rng.randint(1, 3)):
            self.add(unit, province, "federation", Position.vice_chair, full)
        for _ in range(staff):
            self.add(unit, province, "federation", Position.full_time_officer, full)


def _grassroots_names(rng: random.Random, province: str, kind: str, count: int, used: set[str]) -> list[str]:
    places = PLACES[province]
    if kind == "company":
        pool = [f"Công đoàn Công ty {form} {industry} {brand}" for industry in INDUSTRIES for brand in BRANDS
                for form in COMPANY_FORMS[:1]]
        pool = [name.replace("TNHH", rng.choice(COMPANY_FORMS), 1) for name in pool]
    elif kind == "school":
        pool = [f"Công đoàn Trường {k} {p}" for k in SCHOOL_KINDS for p in PATRONS]
    elif kind == "health":
        pool = ([f"Công đoàn Bệnh viện Đa khoa {p}" for p in places] + [f"Công đoàn Trung tâm Y tế {p}"
                                                                         for p in places])
    else:
        pool = [f"Công đoàn {o}" for o in OFFICES] + [f"Công đoàn Ủy ban nhân dân phường {p}" for p in places]
    rng.shuffle(pool)
    names = [name for name in pool if name not in used][:count]
    used.update(names)
    return names


def build_rows() -> tuple[list[UnitRow], list[CadreRow]]:
    """The whole demo tree and its cadres, the same on every run."""
    rng = random.Random(SEED)
    units = [UnitRow(2, "TLD", "Tổng Liên đoàn Lao động Việt Nam", LEVEL_TLD, None, True)]
    cadres = _Cadres(rng)
    grassroots: list[tuple[str, str, str]] = []
    used: set[str] = set()

    def unit(code: str, name: str, level: str, parent: str) -> None:
        units.append(UnitRow(len(units) + 2, code, name, level, parent, True))

    for code, name in PROVINCES:
        unit(code, name, LEVEL_PROVINCE, "TLD")
    unit(SECTOR[0], SECTOR[1], LEVEL_SECTOR, "TLD")
    for code, name, parent, kind, count in UPPER:
        unit(code, name, LEVEL_UPPER, parent)
        for i, base_name in enumerate(_grassroots_names(rng, parent, kind, count, used), start=1):
            base_code = f"{code}-{i:03d}"
            unit(base_code, base_name, LEVEL_BASE, code)
            grassroots.append((base_code, parent, kind))
    for i, name in enumerate(UNIVERSITIES, start=1):
        base_code = f"{SECTOR[0]}-{i:03d}"
        unit(base_code, f"Công đoàn {name}", LEVEL_BASE, SECTOR[0])
        grassroots.append((base_code, "HN", "university"))
    for base_code, province, kind in grassroots:
        cadres.grassroots(base_code, province, kind)
    cadres.federation("TLD", "HN", 6)
    for code, _name in PROVINCES:
        cadres.federation(code, code, 8)
    cadres.federation(SECTOR[0], "HN", 5)
    for code, _name, parent, _kind, _count in UPPER:
        cadres.federation(code, parent, 3)
    return units, cadres.rows


@demo_step(10, "Cây tổ chức công đoàn và cán bộ (org tree and cadres)")
def seed_org(echo: Callable[[str], None]) -> None:
    """Upsert the demo tree and cadres; a second run reports everything unchanged."""
    units, cadres = build_rows()
    report = import_rows(units, cadres)
    counts = report.counts()
    echo(f"  đơn vị: {len(units)} (mới {counts['units_created']}, cập nhật {counts['units_updated']}); "
         f"cán bộ: {len(cadres)} (mới {counts['cadres_created']}, cập nhật {counts['cadres_updated']})")
