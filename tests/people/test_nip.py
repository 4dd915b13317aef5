from datetime import date

import pytest

from app.asn.nip import InvalidNip, mask_nip, normalise_nip, validate_nip

TODAY = date(2026, 11, 27)


def test_valid_nip_is_parsed_into_its_parts() -> None:
    info = validate_nip("198503122010011002", today=TODAY)
    assert info.birth_date == date(1985, 3, 12)
    assert (info.appointment_year, info.appointment_month) == (2010, 1)
    assert info.gender == "L"
    assert info.sequence == 2


def test_nip_typed_with_spaces_and_dots_is_normalised() -> None:
    assert validate_nip("19850312 201001 1 002", today=TODAY).number == "198503122010011002"
    assert validate_nip("19850312.201001.2.002", today=TODAY).gender == "P"
    assert normalise_nip(" 1985-0312 ") == "19850312"


def test_valid_ni_pppk_with_a_code_where_a_pns_month_would_be() -> None:
    # digits 13–14 are a code (21), not a month: invalid as a NIP, valid as NI PPPK
    number = "199005052023211001"
    info = validate_nip(number, kind="PPPK", today=TODAY)
    assert info.kind == "PPPK"
    assert info.appointment_year == 2023
    assert info.appointment_month is None
    with pytest.raises(InvalidNip, match="bulan TMT CPNS 21"):
        validate_nip(number, kind="PNS", today=TODAY)


@pytest.mark.parametrize(
    ("raw", "part", "message"),
    [
        ("198513122010011002", "tanggal_lahir", "tanggal lahir 1985-13-12 tidak valid"),
        ("198502302010011002", "tanggal_lahir", "tanggal lahir 1985-02-30 tidak valid"),
        ("198503122010131002", "tmt", "bulan TMT CPNS 13 tidak valid"),
        ("198503122002011002", "tmt", "kurang dari 18 tahun setelah tanggal lahir"),
        ("198503122030011002", "tmt", "TMT CPNS 2030-01 berada di masa depan"),
        ("198503122010013002", "jenis_kelamin", "kode jenis kelamin harus 1 atau 2 (diberikan 3)"),
        ("198503122010011000", "nomor_urut", "nomor urut tidak boleh 000"),
        ("19850312201001100", "panjang", "harus 18 digit (diberikan 17 digit)"),
        ("1985031220100110021", "panjang", "harus 18 digit (diberikan 19 digit)"),
        ("19850312201001100A", "nip", "hanya boleh berisi angka"),
        ("", "nip", "wajib diisi"),
    ],
)
def test_bad_nip_is_rejected_naming_the_wrong_part(raw: str, part: str, message: str) -> None:
    with pytest.raises(InvalidNip) as caught:
        validate_nip(raw, today=TODAY)
    assert caught.value.part == part
    assert message in caught.value.message


def test_appointment_exactly_eighteen_years_after_birth_is_accepted() -> None:
    assert validate_nip("198503122003031002", today=TODAY).appointment_year == 2003
    with pytest.raises(InvalidNip, match="kurang dari 18 tahun"):
        validate_nip("198503122003021002", today=TODAY)


def test_appointment_in_the_current_month_is_not_in_the_future() -> None:
    assert validate_nip("199803122026111002", today=TODAY).appointment_month == 11


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("199005052030211001", "tahun pengangkatan PPPK 2030 berada di masa depan"),
        ("199005052005211001", "kurang dari 18 tahun"),
        ("199013052023211001", "tanggal lahir 1990-13-05 tidak valid"),
        ("199005052023213001", "kode jenis kelamin harus 1 atau 2"),
        ("199005052023211000", "nomor urut tidak boleh 000"),
    ],
)
def test_bad_ni_pppk_is_rejected(raw: str, message: str) -> None:
    with pytest.raises(InvalidNip, match=message):
        validate_nip(raw, kind="PPPK", today=TODAY)


def test_mask_keeps_only_the_first_six_and_last_two_digits() -> None:
    assert mask_nip("198503122010011002") == "198503**********02"


def test_grouped_nip_is_the_official_printed_form_and_keeps_every_digit() -> None:
    from app.asn.nip import grouped_nip

    assert grouped_nip("198503142015032001") == "19850314 201503 2 001"
    assert (
        grouped_nip("１９８５０３１４２０１５０３２００１")
        == "１９８５０３１４２０１５０３２００１"
    )
    assert grouped_nip("12345") == "12345"
