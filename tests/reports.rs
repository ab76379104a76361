//! The boarder ledgers: 住宿学生花名册 (`report roster`), 住宿学生点名册
//! (`report rollcall`) and 夜不归宿/晚归统计 (`report absences`).
//!
//! A small school is built night by night with known marks, so every cell
//! and total can be asserted exactly; the demo school checks that the
//! reports agree with each other and with the raw marks at full size.
//!
//! Library calls run in the default language (zh-CN) and never switch it:
//! the language is process-wide and these tests run in parallel. English
//! is checked through the binary.

use assert_cmd::Command;
use calamine::{Data, Reader, Xlsx, open_workbook};
use chrono::NaiveDate;
use dutydesk::demo::{self, Scale};
use dutydesk::domain::event::StationKind;
use dutydesk::domain::role::{Actor, Role};
use dutydesk::domain::rollcall::{Mark, RoundKind};
use dutydesk::domain::roster::{BedRef, Gender, Guardian, StudentData};
use dutydesk::domain::time::{Clock, FixedClock, day_start_ms};
use dutydesk::report::absences::{self, AbsencesRequest};
use dutydesk::report::ledger::Ledger;
use dutydesk::report::rollcall::{self, RollcallRequest};
use dutydesk::report::roster;
use dutydesk::store::Store;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::{Arc, OnceLock};

const OFFSET: i32 = 480;
const SCHOOL: &str = "青山县第一中学";
const STATION: &str = "男生宿舍值班室";

// ------------------------------------------------------------ the school

/// Local time at the station (+08:00).
fn at(m: u32, d: u32, h: i64, min: i64) -> i64 {
    let date = NaiveDate::from_ymd_opt(2026, m, d).unwrap();
    day_start_ms(date, OFFSET) + (h * 60 + min) * 60_000
}

fn guardian(name: &str, relation: &str, phone: &str, may_pick_up: bool) -> Guardian {
    Guardian {
        name: name.into(),
        relation: relation.into(),
        phone: Some(phone.into()),
        may_pick_up,
    }
}

#[allow(clippy::too_many_arguments)]
fn data(
    name: &str,
    gender: Option<Gender>,
    class: &str,
    head: &str,
    no: Option<&str>,
    guardians: Vec<Guardian>,
    left_behind: bool,
    care: &str,
) -> StudentData {
    StudentData {
        student_no: no.map(str::to_string),
        name: name.into(),
        gender,
        class: class.into(),
        head_teacher: head.into(),
        guardians,
        left_behind,
        care_notes: care.into(),
    }
}

fn bed(building: &str, room: &str, bed: &str) -> Option<BedRef> {
    Some(BedRef {
        building: building.into(),
        floor: room[..1].parse().unwrap(),
        room: room.into(),
        bed: bed.into(),
    })
}

/// Writes the test school to `path`:
///
/// | boarder | bed          | class     | November (night: mark)                     |
/// |---------|--------------|-----------|--------------------------------------------|
/// | 张伟 A  | 1号楼 101-1  | 初一(1)班 | 2 √, 3 × (forced close), 4 晚 23:10, 6 √, 30 √ |
/// | 李强 B  | 1号楼 101-2  | 初二(2)班 | 2 × (found), 3 √, 4 √, 6 × (second roll), 30 √ |
/// | 刘洋 E  | 1号楼 102-1  | 初一(3)班 | 2 √, 3 √, 4 病, 6 √, 30 √ (× corrected to √) |
/// | 王芳 C  | 2号楼 201-1  | 初一(1)班 | 2 √, 5 假                                   |
/// | 赵敏 D  | 2号楼 201-2  | 初二(2)班 | 2 晚 22:48, 5 × (found); left on 11-10      |
///
/// Night 3 of 1号楼 also has a bed check after midnight marking everyone
/// present, and night 4 has only a bed check. 10-31 (A ×, forced) and
/// 12-01 (A ×) lie outside November.
fn build_school(path: &Path) {
    let clock = FixedClock::new(at(10, 1, 8, 0));
    let mut s = Store::open(path, Arc::new(clock.clone())).unwrap();
    let admin = s
        .setup(SCHOOL, STATION, StationKind::Dorm, OFFSET, "陈老师", "9999")
        .unwrap();
    let teacher = s
        .add_operator(&admin, "李秀英", Role::DormTeacher, "2222")
        .unwrap();
    let leader = s
        .add_operator(&admin, "刘主任", Role::DutyLeader, "3333")
        .unwrap();
    s.add_operator(&admin, "张建国", Role::Guard, "1111")
        .unwrap();

    let male = Some(Gender::Male);
    let female = Some(Gender::Female);
    let a = s
        .enroll_student(
            &admin,
            data(
                "张伟",
                male,
                "初一(1)班",
                "周老师",
                Some("2026001"),
                vec![
                    guardian("张秀英", "奶奶", "13800000001", true),
                    guardian("张强", "父亲", "13900000002", false),
                    guardian("张军", "叔叔", "13700000003", false),
                ],
                true,
                "哮喘，备有喷雾",
            ),
            bed("1号楼", "101", "1"),
            None,
        )
        .unwrap();
    let b = s
        .enroll_student(
            &admin,
            data(
                "李强",
                male,
                "初二(2)班",
                "吴老师",
                Some("2026002"),
                vec![guardian("李娜", "母亲", "13800000004", true)],
                false,
                "",
            ),
            bed("1号楼", "101", "2"),
            None,
        )
        .unwrap();
    let e = s
        .enroll_student(
            &admin,
            data("刘洋", None, "初一(3)班", "郑老师", None, vec![], false, ""),
            bed("1号楼", "102", "1"),
            None,
        )
        .unwrap();
    let c = s
        .enroll_student(
            &admin,
            data(
                "王芳",
                female,
                "初一(1)班",
                "周老师",
                Some("2026003"),
                vec![guardian("王丽", "母亲", "13800000005", true)],
                true,
                "",
            ),
            bed("2号楼", "201", "1"),
            None,
        )
        .unwrap();
    let d = s
        .enroll_student(
            &admin,
            data(
                "赵敏",
                female,
                "初二(2)班",
                "吴老师",
                Some("2026004"),
                vec![guardian("赵军", "父亲", "13800000006", true)],
                false,
                "",
            ),
            bed("2号楼", "201", "2"),
            None,
        )
        .unwrap();

    // One round: start at `start`, then each (mark, who, late) in order.
    let round = |s: &mut Store,
                 kind: RoundKind,
                 building: &str,
                 start: i64,
                 marks: &[(&str, Mark, Option<i64>)]|
     -> String {
        clock.set(start);
        let id = s.start_round(&teacher, kind, building).unwrap();
        for (who, mark, late) in marks {
            clock.advance_min(1);
            // A late return is marked when the boarder walks in.
            if let Some(t) = late {
                clock.set(clock.now_ms().max(*t + 60_000));
            }
            s.mark(&teacher, &id, who, *mark, *late, "").unwrap();
        }
        id
    };
    let close =
        |s: &mut Store, clock: &FixedClock, id: &str, t: i64, by: &Actor, reason: Option<&str>| {
            clock.set(t);
            s.close_round(by, id, reason).unwrap();
        };
    use Mark::*;
    use RoundKind::*;

    let r = round(
        &mut s,
        LightsOut,
        "1号楼",
        at(10, 31, 21, 30),
        &[(&a, Absent, None), (&b, Present, None), (&e, Present, None)],
    );
    close(
        &mut s,
        &clock,
        &r,
        at(10, 31, 22, 30),
        &leader,
        Some("十月：家长电话确认在家"),
    );

    // Night 2.
    let r = round(
        &mut s,
        LightsOut,
        "1号楼",
        at(11, 2, 21, 30),
        &[(&a, Present, None), (&b, Absent, None), (&e, Present, None)],
    );
    clock.set(at(11, 2, 22, 5));
    s.record_followup(
        &teacher,
        &r,
        &b,
        "guardian",
        "李娜 母亲",
        "在同学寝室，已带回",
        Some(at(11, 2, 22, 0)),
    )
    .unwrap();
    close(&mut s, &clock, &r, at(11, 2, 22, 10), &teacher, None);
    let r = round(
        &mut s,
        LightsOut,
        "2号楼",
        at(11, 2, 22, 15),
        &[(&c, Present, None), (&d, Late, Some(at(11, 2, 22, 48)))],
    );
    close(&mut s, &clock, &r, at(11, 2, 22, 55), &teacher, None);

    // Night 3: A out, forced close; a bed check after midnight sees everyone.
    let r = round(
        &mut s,
        LightsOut,
        "1号楼",
        at(11, 3, 21, 30),
        &[(&a, Absent, None), (&b, Present, None), (&e, Present, None)],
    );
    clock.set(at(11, 3, 22, 0));
    s.record_followup(
        &teacher,
        &r,
        &a,
        "guardian",
        "张秀英 奶奶",
        "电话未接通，已通知班主任",
        None,
    )
    .unwrap();
    close(
        &mut s,
        &clock,
        &r,
        at(11, 3, 22, 30),
        &leader,
        Some("家长电话确认在家"),
    );
    let r = round(
        &mut s,
        BedCheck,
        "1号楼",
        at(11, 4, 1, 0),
        &[
            (&a, Present, None),
            (&b, Present, None),
            (&e, Present, None),
        ],
    );
    close(&mut s, &clock, &r, at(11, 4, 1, 10), &teacher, None);

    // Night 4: only a bed check.
    let r = round(
        &mut s,
        BedCheck,
        "1号楼",
        at(11, 4, 23, 0),
        &[
            (&a, Late, Some(at(11, 4, 23, 10))),
            (&b, Present, None),
            (&e, Sick, None),
        ],
    );
    close(&mut s, &clock, &r, at(11, 4, 23, 20), &teacher, None);

    // Night 5, 2号楼: C on leave, D out and found at home.
    let r = round(
        &mut s,
        LightsOut,
        "2号楼",
        at(11, 5, 21, 30),
        &[(&c, Leave, None), (&d, Absent, None)],
    );
    clock.set(at(11, 5, 22, 25));
    s.record_followup(
        &teacher,
        &r,
        &d,
        "guardian",
        "赵军 父亲",
        "回家了，父亲确认",
        Some(at(11, 5, 22, 20)),
    )
    .unwrap();
    close(&mut s, &clock, &r, at(11, 5, 22, 30), &teacher, None);

    // Night 6: everyone present, then a second roll that only reached B.
    let r = round(
        &mut s,
        LightsOut,
        "1号楼",
        at(11, 6, 21, 30),
        &[
            (&a, Present, None),
            (&b, Present, None),
            (&e, Present, None),
        ],
    );
    close(&mut s, &clock, &r, at(11, 6, 21, 40), &teacher, None);
    let r = round(
        &mut s,
        LightsOut,
        "1号楼",
        at(11, 6, 23, 0),
        &[(&b, Absent, None)],
    );
    clock.set(at(11, 6, 23, 20));
    s.record_followup(
        &teacher,
        &r,
        &b,
        "head_teacher",
        "吴老师",
        "在洗衣房",
        Some(at(11, 6, 23, 15)),
    )
    .unwrap();
    close(
        &mut s,
        &clock,
        &r,
        at(11, 6, 23, 30),
        &leader,
        Some("其余同学已在首轮点到"),
    );

    clock.set(at(11, 10, 9, 0));
    s.student_left(&admin, &d, "转学").unwrap();

    // Night 30: E first marked absent, then corrected.
    let r = round(
        &mut s,
        LightsOut,
        "1号楼",
        at(11, 30, 21, 30),
        &[
            (&a, Present, None),
            (&b, Present, None),
            (&e, Absent, None),
            (&e, Present, None),
        ],
    );
    close(&mut s, &clock, &r, at(11, 30, 22, 0), &teacher, None);

    // December 1: outside November.
    let r = round(
        &mut s,
        LightsOut,
        "1号楼",
        at(12, 1, 21, 30),
        &[(&a, Absent, None), (&b, Present, None), (&e, Present, None)],
    );
    clock.set(at(12, 1, 21, 50));
    s.record_followup(
        &teacher,
        &r,
        &a,
        "guardian",
        "",
        "十二月：在网吧",
        Some(at(12, 1, 21, 45)),
    )
    .unwrap();
    close(&mut s, &clock, &r, at(12, 1, 22, 0), &teacher, None);
}

/// A copy of the school in its own directory, which is removed with it.
struct School {
    dir: tempfile::TempDir,
}

impl School {
    fn db(&self) -> PathBuf {
        self.dir.path().join("school.db")
    }
}

/// The school is built once (PIN hashing makes that the slow part); each
/// test gets its own copy of the file, and no file outlives the tests.
fn school() -> School {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    let bytes = BYTES.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("school.db");
        // The store is closed inside, so the file holds everything.
        build_school(&path);
        std::fs::read(&path).unwrap()
    });
    let s = School {
        dir: tempfile::tempdir().unwrap(),
    };
    std::fs::write(s.db(), bytes).unwrap();
    s
}

fn open_school(school: &School) -> (Store, Actor) {
    let clock = FixedClock::new(at(12, 2, 8, 0));
    let store = Store::open_existing(&school.db(), Arc::new(clock)).unwrap();
    let admin = store
        .find_operator_by_name("陈老师")
        .unwrap()
        .unwrap()
        .actor();
    (store, admin)
}

fn month(m: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, 1).unwrap()
}

fn rollcall_ledger(m: NaiveDate, building: Option<&str>) -> Ledger {
    let school = school();
    let (store, admin) = open_school(&school);
    rollcall::build(
        &store,
        &admin,
        &RollcallRequest {
            month: m,
            building: building.map(str::to_string),
            path: PathBuf::from("unused.csv"),
        },
    )
    .unwrap()
}

fn absences_ledger(from: (u32, u32), to: (u32, u32)) -> Ledger {
    let school = school();
    let (store, admin) = open_school(&school);
    let d = |(m, d): (u32, u32)| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
    absences::build(
        &store,
        &admin,
        &AbsencesRequest {
            from: d(from),
            to: d(to),
            path: PathBuf::from("unused.csv"),
        },
    )
    .unwrap()
}

/// The grid row of a boarder (by name), as cells.
fn row_of<'a>(ledger: &'a Ledger, name: &str) -> &'a [String] {
    ledger
        .rows
        .iter()
        .find(|r| r.get(1).map(String::as_str) == Some(name))
        .unwrap_or_else(|| panic!("no row for {name}"))
}

/// The cell of `day` (1-based) in a roll-call row.
fn day(row: &[String], day: usize) -> &str {
    &row[2 + day]
}

// ------------------------------------------------------------- the binary

fn dutydesk(lang: &str) -> Command {
    let mut c = Command::cargo_bin("dutydesk").unwrap();
    c.env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG")
        // The log goes elsewhere: these tests check what a command leaves
        // beside the database.
        .env(
            dutydesk::logging::DIR_ENV,
            std::env::temp_dir().join("dutydesk-test-logs"),
        )
        .args(["--lang", lang]);
    c
}

/// `report …` as the duty leader 刘主任 (PIN on stdin), unless the
/// arguments name the operator themselves.
fn report(lang: &str, db: &Path, args: &[&str], out: &Path) -> Output {
    let mut c = dutydesk(lang);
    c.arg("report")
        .args(args)
        .arg("--db")
        .arg(db)
        .arg("--out")
        .arg(out);
    if !args.contains(&"--as") {
        c.args(["--as", "刘主任"]).write_stdin("3333\n");
    }
    c.output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8(b.to_vec()).unwrap()
}

#[track_caller]
fn succeeded(o: &Output) -> String {
    assert!(
        o.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        o.status.code(),
        text(&o.stdout),
        text(&o.stderr)
    );
    assert_eq!(text(&o.stderr), "");
    text(&o.stdout)
}

/// A refusal: exit 1, nothing on stdout, one `dutydesk: …` line on stderr.
#[track_caller]
fn refused(o: &Output) -> String {
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "stderr: {err}");
    assert_eq!(text(&o.stdout), "");
    assert_eq!(err.lines().count(), 1, "not one line: {err:?}");
    assert!(err.ends_with('\n'));
    err.trim_end()
        .strip_prefix("dutydesk: ")
        .unwrap_or_else(|| panic!("no prefix: {err:?}"))
        .to_string()
}

fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// A CSV ledger: the header on row 1, then the records. Checks the BOM and
/// that every row is as wide as the header. Dates carry a leading tab (so
/// spreadsheets keep them as text); fields are trimmed.
struct Csv {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

fn read_csv(path: &Path) -> Csv {
    let bytes = std::fs::read(path).unwrap();
    let body = bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .expect("CSV starts with the UTF-8 BOM");
    let recs: Vec<Vec<String>> = csv::ReaderBuilder::new()
        .has_headers(false)
        .trim(csv::Trim::Fields)
        .from_reader(body)
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    Csv {
        header: recs[0].clone(),
        rows: recs[1..].to_vec(),
    }
}

/// All cells of the first sheet as text.
fn read_xlsx(path: &Path) -> Vec<Vec<String>> {
    assert!(std::fs::read(path).unwrap().starts_with(b"PK"));
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let name = wb.sheet_names()[0].clone();
    let range = wb.worksheet_range(&name).unwrap();
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::String(s) => s.clone(),
                    Data::Empty => String::new(),
                    other => panic!("cell is not text: {other:?}"),
                })
                .collect()
        })
        .collect()
}

fn days_header(n: usize) -> Vec<String> {
    (1..=n).map(|d| d.to_string()).collect()
}

// Every guardian in columns of their own (the school's most is three).
const ROSTER_ZH: [&str; 24] = [
    "序号",
    "楼栋",
    "楼层",
    "寝室号",
    "床号",
    "姓名",
    "性别",
    "班级",
    "班主任",
    "学号",
    "监护人1",
    "关系1",
    "电话1",
    "可接送1",
    "监护人2",
    "关系2",
    "电话2",
    "可接送2",
    "监护人3",
    "关系3",
    "电话3",
    "可接送3",
    "是否留守",
    "备注",
];
const ROSTER_EN: [&str; 24] = [
    "No.",
    "Building",
    "Floor",
    "Room",
    "Bed",
    "Name",
    "Gender",
    "Class",
    "Head teacher",
    "Student no.",
    "Guardian 1",
    "Relation 1",
    "Phone 1",
    "May pick up 1",
    "Guardian 2",
    "Relation 2",
    "Phone 2",
    "May pick up 2",
    "Guardian 3",
    "Relation 3",
    "Phone 3",
    "May pick up 3",
    "Left-behind",
    "Notes",
];
const ABSENCES_ZH: [&str; 9] = [
    "序号",
    "姓名",
    "班级",
    "楼栋 寝室-床",
    "夜不归宿",
    "晚归",
    "校内找到",
    "日期",
    "跟进",
];
const ABSENCES_EN: [&str; 9] = [
    "No.",
    "Name",
    "Class",
    "Building room-bed",
    "Nights out",
    "Late returns",
    "Found on campus",
    "Dates",
    "Follow-up",
];

fn rollcall_header(zh: bool, days: usize) -> Vec<String> {
    let (head, tail): (&[&str], &[&str]) = if zh {
        (&["床位", "姓名", "班级"], &["在", "缺", "假", "病", "晚"])
    } else {
        (
            &["Bed", "Name", "Class"],
            &["Present", "Absent", "Leave", "Sick", "Late"],
        )
    };
    let mut v: Vec<String> = head.iter().map(|s| s.to_string()).collect();
    v.extend(days_header(days));
    v.extend(tail.iter().map(|s| s.to_string()));
    v
}

// ------------------------------------------------------------------ roster

#[test]
fn roster_rows_follow_the_beds_with_guardians_and_totals() {
    let school = school();
    let (store, admin) = open_school(&school);
    let l = roster::build(&store, &admin).unwrap();
    assert_eq!(l.title, "青山县第一中学 住宿学生花名册");
    assert!(
        l.subtitle.starts_with(STATION) && l.subtitle.contains("2026-12-02 08:00"),
        "{}",
        l.subtitle
    );
    assert!(l.subtitle.contains("陈老师"), "{}", l.subtitle);
    let headers: Vec<&str> = l.columns.iter().map(|c| c.header.as_str()).collect();
    assert_eq!(headers, ROSTER_ZH);
    // Active boarders only (赵敏 left), in bed order.
    let names: Vec<&str> = l.rows.iter().map(|r| r[5].as_str()).collect();
    assert_eq!(names, ["张伟", "李强", "刘洋", "王芳"]);
    assert_eq!(
        l.rows[0],
        [
            "1",
            "1号楼",
            "1",
            "101",
            "1",
            "张伟",
            "男",
            "初一(1)班",
            "周老师",
            "2026001",
            "张秀英",
            "奶奶",
            "13800000001",
            "可接送",
            "张强",
            "父亲",
            "13900000002",
            "不可接送",
            "张军",
            "叔叔",
            "13700000003",
            "不可接送",
            "是",
            "哮喘，备有喷雾",
        ]
    );
    // No gender, no guardian, no number: blanks, not "None".
    assert_eq!(
        l.rows[2],
        [
            "3",
            "1号楼",
            "1",
            "102",
            "1",
            "刘洋",
            "",
            "初一(3)班",
            "郑老师",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "否",
            ""
        ]
    );
    assert_eq!(l.rows[3][6], "女");
    assert_eq!(
        l.footer,
        [
            "共 4 人：男生 2 人，女生 1 人；留守儿童 2 人",
            "未填性别 1 人",
            "值班人签字：____________    值班领导签字：____________",
        ]
    );
}

#[test]
fn roster_csv_in_both_languages_and_xlsx() {
    let dir = tempfile::tempdir().unwrap();
    let school = school();
    let db = school.db();
    let csv_zh = dir.path().join("花名册.csv");
    let out = succeeded(&report("zh-CN", &db, &["roster"], &csv_zh));
    assert!(
        out.contains("4 名住宿生") && out.contains("花名册.csv"),
        "{out}"
    );
    let c = read_csv(&csv_zh);
    assert_eq!(c.header, ROSTER_ZH);
    assert_eq!(c.rows.len(), 4);
    assert_eq!(c.rows[1][5], "李强");

    let csv_en = dir.path().join("roster.csv");
    succeeded(&report("en", &db, &["roster"], &csv_en));
    let c = read_csv(&csv_en);
    assert_eq!(c.header, ROSTER_EN);
    assert_eq!(c.rows.len(), 4);
    assert_eq!(c.rows[0][6], "M");
    assert_eq!(
        c.rows[0][10..14],
        ["张秀英", "奶奶", "13800000001", "may pick up"]
    );
    assert_eq!(c.rows[0][17], "may not pick up");
    // Title and totals are on the printed form only.
    let xlsx_en = dir.path().join("roster_en.xlsx");
    succeeded(&report("en", &db, &["roster"], &xlsx_en));
    let f = read_form(&xlsx_en);
    assert_eq!(f.title, "青山县第一中学 Boarder Roster");
    assert_eq!(
        f.footer[0],
        "Total: 4 boarders — 2 boys, 1 girls; 2 left-behind"
    );

    let xlsx = dir.path().join("roster.xlsx");
    succeeded(&report("zh-CN", &db, &["roster"], &xlsx));
    let cells = read_xlsx(&xlsx);
    assert_eq!(cells[0][0], "青山县第一中学 住宿学生花名册");
    assert_eq!(
        read_form(&xlsx).footer[0],
        "共 4 人：男生 2 人，女生 1 人；留守儿童 2 人"
    );
    assert_eq!(cells[3], ROSTER_ZH);
    // Phone numbers stay text with every digit.
    assert_eq!(cells[4][12], "13800000001");
    assert_eq!(cells[7][5], "王芳");
}

// ---------------------------------------------------------------- rollcall

#[test]
fn rollcall_has_one_column_per_day_of_the_month() {
    for (m, days) in [
        (month(1), 31),
        (month(2), 28),
        (month(4), 30),
        (month(11), 30),
        (month(12), 31),
        (NaiveDate::from_ymd_opt(2028, 2, 1).unwrap(), 29),
    ] {
        let l = rollcall_ledger(m, None);
        let headers: Vec<String> = l.columns.iter().map(|c| c.header.clone()).collect();
        assert_eq!(headers, rollcall_header(true, days), "{m}");
        // Day columns are narrow so the month prints one page wide.
        assert!(l.columns[3..3 + days].iter().all(|c| c.width <= 3.0));
        assert!(l.rows.iter().all(|r| r.len() == headers.len()));
    }
}

#[test]
fn rollcall_cells_show_the_paper_marks_of_the_nights_roll() {
    let l = rollcall_ledger(month(11), Some("1号楼"));
    assert_eq!(l.title, "青山县第一中学 住宿学生点名册");
    assert!(
        l.subtitle
            .starts_with("2026年11月 · 1号楼 · 男生宿舍值班室"),
        "{}",
        l.subtitle
    );
    // Three boarders of 1号楼 in bed order, then the two count rows, the
    // weekday, who called the roll and whether it is finished.
    let beds: Vec<(&str, &str)> = l
        .rows
        .iter()
        .map(|r| (r[0].as_str(), r[1].as_str()))
        .collect();
    assert_eq!(
        beds,
        [
            ("101-1", "张伟"),
            ("101-2", "李强"),
            ("102-1", "刘洋"),
            ("每晚在（√）人数", ""),
            ("每晚缺（×）人数", ""),
            ("星期", ""),
            ("点名人", ""),
            ("点名状态", ""),
        ]
    );
    let n = l.rows.len();
    let (weekday, caller) = (&l.rows[n - 3], &l.rows[n - 2]);
    assert_eq!((day(weekday, 1), day(weekday, 2)), ("日", "一"));
    // Night 3's roll is its lights-out round; night 4 had only a bed check.
    assert_eq!((day(caller, 3), day(caller, 4)), ("李秀英", "李秀英"));
    assert_eq!(day(caller, 1), "");
    let a = row_of(&l, "张伟");
    assert_eq!(a[2], "初一(1)班");
    // Night 3: absent at lights-out; the bed check that found him present
    // later does not change the roll, nor does the follow-up.
    assert_eq!(day(a, 3), "×");
    // Night 4 had only a bed check: it counts.
    assert_eq!(day(a, 4), "晚");
    assert_eq!(day(a, 2), "√");
    assert_eq!(day(a, 1), "");
    assert_eq!(day(a, 5), "");
    // October and December marks stay out.
    assert_eq!(day(a, 30), "√");

    let b = row_of(&l, "李强");
    // Found by a follow-up the same night: still ×.
    assert_eq!(day(b, 2), "×");
    // The second roll of night 6 marked only him; the others keep the
    // first roll's mark.
    assert_eq!(day(b, 6), "×");
    let e = row_of(&l, "刘洋");
    assert_eq!(day(e, 4), "病");
    assert_eq!(day(e, 6), "√");
    // A corrected mark shows the correction.
    assert_eq!(day(e, 30), "√");

    // Row totals: 在 缺 假 病 晚.
    let totals = |r: &[String]| r[33..].to_vec();
    assert_eq!(totals(a), ["3", "1", "0", "0", "1"]);
    assert_eq!(totals(b), ["3", "2", "0", "0", "0"]);
    assert_eq!(totals(e), ["4", "0", "0", "1", "0"]);

    // Per-night counts: blank on nights without a round.
    let present = &l.rows[3];
    let absent = &l.rows[4];
    let nights =
        |r: &[String]| -> Vec<String> { (1..=30).map(|d| day(r, d).to_string()).collect() };
    let expect = |pairs: &[(usize, &str)]| -> Vec<String> {
        (1..=30)
            .map(|d| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == d)
                    .map_or(String::new(), |(_, v)| v.to_string())
            })
            .collect()
    };
    assert_eq!(
        nights(present),
        expect(&[(2, "2"), (3, "2"), (4, "1"), (6, "2"), (30, "3")])
    );
    assert_eq!(
        nights(absent),
        expect(&[(2, "1"), (3, "1"), (4, "0"), (6, "1"), (30, "0")])
    );
    // Column totals agree with the row totals.
    assert_eq!(totals(present), ["10", "", "", "", ""]);
    assert_eq!(totals(absent), ["", "3", "", "", ""]);
}

#[test]
fn rollcall_of_all_buildings_keeps_boarders_who_left() {
    let l = rollcall_ledger(month(11), None);
    let beds: Vec<(&str, &str)> = l
        .rows
        .iter()
        .take(5)
        .map(|r| (r[0].as_str(), r[1].as_str()))
        .collect();
    assert_eq!(
        beds,
        [
            ("1号楼 101-1", "张伟"),
            ("1号楼 101-2", "李强"),
            ("1号楼 102-1", "刘洋"),
            ("2号楼 201-1", "王芳"),
            ("2号楼 201-2（已离开）", "赵敏"),
        ]
    );
    let c = row_of(&l, "王芳");
    assert_eq!((day(c, 2), day(c, 5)), ("√", "假"));
    let d = row_of(&l, "赵敏");
    assert_eq!((day(d, 2), day(d, 5)), ("晚", "×"));
    assert_eq!(d[33..], ["0", "1", "0", "0", "1"]);
    // Night 5 had a round in 2号楼 with nobody present: 0, not blank.
    assert_eq!(day(&l.rows[5], 5), "0");
    assert_eq!(day(&l.rows[6], 5), "1");
    assert_eq!(l.rows[5][33], "11");
    assert_eq!(l.rows[6][34], "4");
    assert!(
        l.footer.contains(&"住宿生 5 人，本月点名 6 晚".to_string()),
        "{:?}",
        l.footer
    );
}

#[test]
fn forced_closes_are_listed_under_the_grid() {
    let l = rollcall_ledger(month(11), None);
    let sign = l.footer.last().unwrap();
    assert!(sign.starts_with("值班人签字"), "{sign}");
    let forced: Vec<&String> = l
        .footer
        .iter()
        .filter(|f| f.contains("强制结束，"))
        .collect();
    assert_eq!(
        forced,
        [
            "2026-11-03 1号楼 就寝点名：刘主任 于 11-03 22:30 强制结束，1 人去向不明；原因：家长电话确认在家",
            "2026-11-06 1号楼 就寝点名：刘主任 于 11-06 23:30 强制结束，2 人去向不明；原因：其余同学已在首轮点到",
        ]
    );
    assert!(
        l.footer
            .contains(&"有人去向不明时由值班领导强制结束的点名：".to_string())
    );
    // October's forced close is October's.
    let oct = rollcall_ledger(month(10), Some("1号楼"));
    assert!(
        oct.footer
            .iter()
            .any(|f| f.contains("2026-10-31") && f.contains("十月：家长电话确认在家")),
        "{:?}",
        oct.footer
    );
    let a = row_of(&oct, "张伟");
    assert_eq!(day(a, 31), "×");
    // A month without any.
    let feb = rollcall_ledger(month(2), None);
    assert!(feb.footer.contains(&"本月没有强制结束的点名。".to_string()));
    // Nobody marked in February: the active boarders, blank nights.
    assert_eq!(feb.rows.len(), 4 + rollcall::EXTRA_ROWS);
    assert!(
        feb.rows[..4]
            .iter()
            .all(|r| r[3..31].iter().all(String::is_empty))
    );
}

#[test]
fn rollcall_csv_and_xlsx_through_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    let school = school();
    let db = school.db();
    let csv_zh = dir.path().join("点名册.csv");
    let args = ["rollcall", "--month", "2026-11"];
    let out = succeeded(&report("zh-CN", &db, &args, &csv_zh));
    assert!(out.contains("5 名住宿生"), "{out}");
    let c = read_csv(&csv_zh);
    assert_eq!(c.header, rollcall_header(true, 30));
    // The boarders only: the count, weekday, caller and state rows are on
    // the printed form.
    assert_eq!(c.rows.len(), 5);
    assert_eq!(c.rows[0][1], "张伟");
    assert_eq!(day(&c.rows[0], 3), "×");
    let xlsx_zh = dir.path().join("点名册.xlsx");
    succeeded(&report("zh-CN", &db, &args, &xlsx_zh));
    let f = read_form(&xlsx_zh);
    assert!(
        f.footer
            .iter()
            .any(|f| f.contains("原因：家长电话确认在家"))
    );
    assert_eq!(
        f.footer.last().unwrap(),
        "值班人签字：____________    值班领导签字：____________"
    );

    let csv_en = dir.path().join("rollcall.csv");
    let args = ["rollcall", "--month", "2026-02", "--building", "2号楼"];
    succeeded(&report("en", &db, &args, &csv_en));
    let c = read_csv(&csv_en);
    assert_eq!(c.header, rollcall_header(false, 28));
    assert_eq!(c.rows[0][..2], ["201-1", "王芳"]);
    let xlsx_en = dir.path().join("rollcall_en.xlsx");
    succeeded(&report("en", &db, &args, &xlsx_en));
    let f = read_form(&xlsx_en);
    assert_eq!(f.title, "青山县第一中学 Boarders' Roll-Call Book");
    assert!(
        f.subtitle.starts_with("2026-02 · 2号楼 · "),
        "{}",
        f.subtitle
    );
    assert!(
        f.footer
            .contains(&"No round was forced closed this month.".to_string())
    );

    let xlsx = dir.path().join("rollcall.xlsx");
    let args = ["rollcall", "--month", "2026-11", "--building", "1号楼"];
    succeeded(&report("zh-CN", &db, &args, &xlsx));
    let cells = read_xlsx(&xlsx);
    assert_eq!(cells[3], rollcall_header(true, 30));
    assert_eq!(cells[4][..2], ["101-1", "张伟"]);
    assert_eq!(cells[4][2 + 4], "晚");
    assert_eq!(cells[5][2 + 2], "×");
    assert_eq!(cells[7][0], "每晚在（√）人数");
}

// ---------------------------------------------------------------- absences

#[test]
fn absences_count_nights_out_and_late_returns_per_boarder_and_class() {
    let l = absences_ledger((11, 1), (11, 30));
    assert_eq!(l.title, "青山县第一中学 住宿生夜不归宿/晚归统计");
    assert!(
        l.subtitle.starts_with("2026-11-01 至 2026-11-30 · "),
        "{}",
        l.subtitle
    );
    let headers: Vec<&str> = l.columns.iter().map(|c| c.header.as_str()).collect();
    assert_eq!(headers, ABSENCES_ZH);
    assert_eq!(
        l.rows,
        [
            vec![
                "1",
                "张伟",
                "初一(1)班",
                "1号楼 101-1",
                "1",
                "1",
                "0",
                "11-03、11-04 23:10",
                "11-03 电话未接通，已通知班主任",
            ],
            vec![
                "2",
                "李强",
                "初二(2)班",
                "1号楼 101-2",
                "0",
                "0",
                "2",
                "11-02（校内找到）、11-06（校内找到）",
                "11-06 在洗衣房",
            ],
            vec![
                "3",
                "赵敏",
                "初二(2)班",
                "2号楼 201-2（已离开）",
                "1",
                "1",
                "0",
                "11-02 22:48、11-05",
                "11-05 回家了，父亲确认",
            ],
            vec![],
            vec![
                "按班级",
                "",
                "班级",
                "",
                "夜不归宿",
                "晚归",
                "校内找到",
                "人数",
                ""
            ],
            vec!["", "", "初一(1)班", "", "1", "1", "0", "1", ""],
            vec!["", "", "初二(2)班", "", "1", "1", "2", "2", ""],
            vec!["", "", "合计", "", "2", "2", "2", "3", ""],
        ]
    );
    assert_eq!(
        l.footer[0],
        "共 3 人：夜不归宿 2 人次，晚归 2 人次，校内找到 2 人次"
    );
    assert!(l.footer.last().unwrap().starts_with("值班人签字"));
}

#[test]
fn absence_dates_are_inclusive_at_both_ends() {
    let l = absences_ledger((10, 31), (10, 31));
    assert_eq!(
        l.rows[0][1..8],
        ["张伟", "初一(1)班", "1号楼 101-1", "1", "0", "0", "10-31"]
    );
    assert_eq!(l.rows.len(), 1 + 4);

    // 11-30 .. 12-01: E's corrected mark is not an absence; A's December one is.
    let l = absences_ledger((11, 30), (12, 1));
    assert_eq!(l.rows[0][1], "张伟");
    assert_eq!(
        l.rows[0][4..9],
        ["1", "0", "0", "12-01", "12-01 十二月：在网吧"]
    );
    assert_eq!(l.rows.len(), 1 + 4);

    // A range with nothing: the bare form with a zero total.
    let l = absences_ledger((11, 7), (11, 29));
    assert_eq!(
        l.rows,
        [
            vec![],
            vec![
                "按班级",
                "",
                "班级",
                "",
                "夜不归宿",
                "晚归",
                "校内找到",
                "人数",
                ""
            ],
            vec!["", "", "合计", "", "0", "0", "0", "0", ""],
        ]
    );
}

#[test]
fn absences_csv_in_both_languages() {
    let dir = tempfile::tempdir().unwrap();
    let school = school();
    let db = school.db();
    let args = ["absences", "--from", "2026-11-01", "--to", "2026-11-30"];
    let zh = dir.path().join("统计.csv");
    let out = succeeded(&report("zh-CN", &db, &args, &zh));
    assert!(out.contains("3 名住宿生"), "{out}");
    let c = read_csv(&zh);
    assert_eq!(c.header, ABSENCES_ZH);
    assert_eq!(
        c.rows[2][1..6],
        ["赵敏", "初二(2)班", "2号楼 201-2（已离开）", "1", "1"]
    );
    // One row per boarder: the per-class summary is on the printed form.
    assert_eq!(c.rows.len(), 3);

    let en = dir.path().join("absences.csv");
    succeeded(&report("en", &db, &args, &en));
    let c = read_csv(&en);
    assert_eq!(c.header, ABSENCES_EN);
    assert_eq!(c.rows[0][7], "11-03, 11-04 23:10");
    assert_eq!(c.rows.len(), 3);
    let xlsx_en = dir.path().join("absences.xlsx");
    succeeded(&report("en", &db, &args, &xlsx_en));
    let f = read_form(&xlsx_en);
    assert_eq!(f.title, "青山县第一中学 Nights Out and Late Returns");
    let cells = read_xlsx(&xlsx_en);
    assert_eq!(
        cells[4 + 4][..8],
        [
            "By class",
            "",
            "Class",
            "",
            "Nights out",
            "Late returns",
            "Found on campus",
            "Boarders"
        ]
    );
    // The per-class block ends with the whole school.
    assert!(
        cells[4 + 4..]
            .iter()
            .any(|r| r.get(2).is_some_and(|c| c == "All classes")),
        "no all-classes row"
    );
    assert_eq!(
        f.footer[0],
        "3 boarders: 2 nights out, 2 late returns, 2 found on campus"
    );
}

// ------------------------------------------------------------ refusals

#[test]
fn bad_arguments_are_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.csv");
    let school = school();
    let db = &school.db();
    let before = std::fs::metadata(db).unwrap().modified().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (&["rollcall", "--month", "2026-13"], "2026-13"),
        (&["rollcall", "--month", "abc"], "abc"),
        (&["rollcall", "--month", "2026-11-01"], "2026-11-01"),
        (
            &["absences", "--from", "2026-11-31", "--to", "2026-12-01"],
            "2026-11-31",
        ),
        (
            &["absences", "--from", "2026-11-01", "--to", "soon"],
            "soon",
        ),
        (
            &["absences", "--from", "2026-11-30", "--to", "2026-11-01"],
            "before",
        ),
        (
            &["rollcall", "--month", "2026-11", "--building", "9号楼"],
            "9号楼",
        ),
        (&["roster", "--as", "张建国"], ""),
        (&["roster", "--as", "无此人"], "无此人"),
    ];
    for (args, needle) in cases {
        let msg = refused(&report("en", db, args, &out));
        assert!(msg.contains(needle), "{args:?}: {msg}");
    }
    // Unsupported output names, for each report.
    for args in [
        &["roster"][..],
        &["rollcall", "--month", "2026-11"],
        &["absences", "--from", "2026-11-01", "--to", "2026-11-30"],
    ] {
        for name in ["out.txt", "out", "out.xls"] {
            let msg = refused(&report("zh-CN", db, args, &dir.path().join(name)));
            assert!(msg.contains(".xlsx"), "{msg}");
        }
    }
    assert!(listing(dir.path()).is_empty(), "{:?}", listing(dir.path()));
    assert_eq!(std::fs::metadata(db).unwrap().modified().unwrap(), before);
}

#[test]
fn a_missing_database_is_refused_and_not_created() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("nowhere.db");
    let out = dir.path().join("out.xlsx");
    for args in [
        &["roster"][..],
        &["rollcall", "--month", "2026-11"],
        &["absences", "--from", "2026-11-01", "--to", "2026-11-30"],
    ] {
        let msg = refused(&report("en", &db, args, &out));
        assert!(msg.contains("nowhere.db"), "{msg}");
    }
    // A bad month is reported as such even without a database.
    let msg = refused(&report(
        "en",
        &db,
        &["rollcall", "--month", "2026-00"],
        &out,
    ));
    assert!(msg.contains("month"), "{msg}");
    assert!(listing(dir.path()).is_empty(), "{:?}", listing(dir.path()));
}

// ------------------------------------------------------------ who exported

/// The printed form's parts from an .xlsx: title, subtitle and the lines
/// under the table.
struct Form {
    title: String,
    subtitle: String,
    footer: Vec<String>,
}

fn read_form(path: &Path) -> Form {
    let cells = read_xlsx(path);
    // The footer: the one-cell lines at the end of the sheet.
    let lines = cells
        .iter()
        .rev()
        .take_while(|r| !r[0].is_empty() && r[1..].iter().all(String::is_empty))
        .count();
    Form {
        title: cells[0][0].clone(),
        subtitle: cells[1][0].clone(),
        footer: cells[cells.len() - lines..]
            .iter()
            .map(|r| r[0].clone())
            .collect(),
    }
}

/// `report …` with `stdin` as standard input.
fn report_with_stdin(lang: &str, db: &Path, args: &[&str], out: &Path, stdin: &str) -> Output {
    dutydesk(lang)
        .arg("report")
        .args(args)
        .arg("--db")
        .arg(db)
        .arg("--out")
        .arg(out)
        .write_stdin(stdin)
        .output()
        .unwrap()
}

const EVERY_LEDGER: [&[&str]; 8] = [
    &["roster"],
    &["rollcall", "--month", "2026-11"],
    &["absences", "--from", "2026-11-01", "--to", "2026-11-30"],
    &["visitors", "--from", "2026-11-01", "--to", "2026-11-30"],
    &["sick", "--from", "2026-11-01", "--to", "2026-11-30"],
    &["leave", "--from", "2026-11-01", "--to", "2026-11-30"],
    &["gate", "--from", "2026-11-01", "--to", "2026-11-30"],
    &["followups", "--from", "2026-11-01", "--to", "2026-11-30"],
];

#[test]
fn the_exporter_named_is_the_operator_whose_pin_was_given() {
    let dir = tempfile::tempdir().unwrap();
    let school = school();
    let db = school.db();
    for (i, args) in EVERY_LEDGER.iter().enumerate() {
        let out = dir.path().join(format!("{i}.xlsx"));
        let with_as = [*args, &["--as", "刘主任"]].concat();
        succeeded(&report_with_stdin("zh-CN", &db, &with_as, &out, "3333\n"));
        let form = read_form(&out);
        assert!(form.title.starts_with(SCHOOL), "{}", form.title);
        assert!(form.footer.last().unwrap().starts_with("值班人签字"));
        let subtitle = form.subtitle;
        assert!(subtitle.ends_with("由 刘主任 导出"), "{args:?}: {subtitle}");
        assert!(!subtitle.contains("陈老师"), "{subtitle}");

        // The same with the PIN in a file.
        let pin = dir.path().join("pin.txt");
        std::fs::write(&pin, "3333\n").unwrap();
        let out = dir.path().join(format!("{i}-file.xlsx"));
        let with_file = [
            *args,
            &["--as", "刘主任", "--pin-file", pin.to_str().unwrap()],
        ]
        .concat();
        succeeded(&report("en", &db, &with_file, &out));
        let subtitle = read_form(&out).subtitle;
        assert!(subtitle.ends_with("exported by 刘主任"), "{subtitle}");
    }
}

#[test]
fn a_wrong_or_missing_pin_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    for args in EVERY_LEDGER {
        // A school each: five wrong PINs in a row would lock 刘主任 out.
        let school = school();
        let db = school.db();
        let out = dir.path().join("out.xlsx");
        let with_as = [args, &["--as", "刘主任"]].concat();
        let msg = refused(&report_with_stdin("en", &db, &with_as, &out, "0000\n"));
        assert_eq!(msg, "wrong PIN for 刘主任; nothing was changed", "{args:?}");
        let msg = refused(&report_with_stdin("en", &db, &with_as, &out, ""));
        assert!(msg.contains("PIN"), "{args:?}: {msg}");
        // Another operator's PIN does not sign for 刘主任 either.
        refused(&report_with_stdin("en", &db, &with_as, &out, "9999\n"));
        assert!(listing(dir.path()).is_empty(), "{:?}", listing(dir.path()));
    }
}

#[test]
fn without_as_a_report_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let school = school();
    let db = school.db();
    for (i, args) in EVERY_LEDGER.iter().enumerate() {
        for (lang, want) in [("zh-CN", "--as 姓名"), ("en", "add --as NAME")] {
            let out = dir.path().join(format!("{i}-{lang}.xlsx"));
            let msg = refused(&report_with_stdin(lang, &db, args, &out, "3333\n"));
            assert!(msg.contains(want), "{args:?}: {msg}");
            assert!(!out.exists());
        }
    }
    // Full ID numbers: the same, whatever else is asked.
    let out = dir.path().join("ids.xlsx");
    let args = [
        "visitors",
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-30",
        "--full-ids",
    ];
    let msg = refused(&report_with_stdin("en", &db, &args, &out, ""));
    assert!(msg.contains("--as"), "{msg}");
    assert!(!out.exists());
}

// ------------------------------------------------------------ demo school

/// The demo school at 21:50: fourteen past nights and tonight's roll half
/// called. The reports must agree with the raw marks and with each other.
#[test]
fn demo_school_reports_agree_with_the_marks() {
    let now = chrono::DateTime::parse_from_rfc3339("2026-11-22T21:50:00+08:00")
        .unwrap()
        .timestamp_millis();
    let clock = FixedClock::new(now);
    let mut store = Store::open_in_memory(Arc::new(clock.clone())).unwrap();
    demo::generate(&mut store, &clock, Scale::Small, 42, now).unwrap();
    let admin = store
        .operators()
        .unwrap()
        .into_iter()
        .find(|o| o.role == Role::Admin)
        .unwrap()
        .actor();
    let boarders = store.students(None).unwrap().len();
    assert!(boarders >= 100, "{boarders}");

    let r = roster::build(&store, &admin).unwrap();
    assert_eq!(r.rows.len(), boarders);

    let g = rollcall::build(
        &store,
        &admin,
        &RollcallRequest {
            month: month(11),
            building: None,
            path: PathBuf::from("x.csv"),
        },
    )
    .unwrap();
    assert_eq!(g.rows.len(), boarders + rollcall::EXTRA_ROWS);
    // Raw counts: every night here has one lights-out round per building.
    let raw = |mark: &str| -> usize {
        store
            .conn()
            .query_row(
                "SELECT COUNT(*) FROM marks m JOIN rounds r ON r.id = m.round_id
                 WHERE r.kind = 'lights_out' AND r.night LIKE '2026-11-%' AND m.mark = ?1",
                [mark],
                |row| row.get::<_, i64>(0),
            )
            .unwrap() as usize
    };
    let cells = |sym: &str| -> usize {
        g.rows[..boarders]
            .iter()
            .map(|r| r[3..33].iter().filter(|c| *c == sym).count())
            .sum()
    };
    for (mark, sym) in [
        ("present", "√"),
        ("absent", "×"),
        ("late", "晚"),
        ("leave", "假"),
        ("sick", "病"),
    ] {
        assert_eq!(cells(sym), raw(mark), "{mark}");
    }
    assert!(raw("absent") >= 1 && raw("late") >= 1);
    assert_eq!(g.rows[boarders][33], raw("present").to_string());
    assert_eq!(g.rows[boarders + 1][34], raw("absent").to_string());
    // Tonight's roll is half called: blanks, not missing rows.
    let tonight_blank = g.rows[..boarders]
        .iter()
        .filter(|r| r[2 + 22].is_empty())
        .count();
    assert!(tonight_blank > 0);

    let a = absences::build(
        &store,
        &admin,
        &AbsencesRequest {
            from: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
            to: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
            path: PathBuf::from("x.csv"),
        },
    )
    .unwrap();
    let total = a.rows.last().unwrap();
    assert_eq!(total[2], "合计");
    let n = |i: usize| total[i].parse::<usize>().unwrap();
    // Nights out and those found on campus make up the absences.
    assert_eq!(n(4) + n(6), raw("absent"));
    assert_eq!(total[5], raw("late").to_string());
    // One line per boarder listed, and the class rows add up to the total.
    let listed = a.rows.iter().take_while(|r| !r.is_empty()).count();
    assert_eq!(total[7], listed.to_string());
    let class_rows = &a.rows[listed + 2..a.rows.len() - 1];
    let sum = |i: usize| -> usize {
        class_rows
            .iter()
            .map(|r| r[i].parse::<usize>().unwrap())
            .sum()
    };
    assert_eq!(
        (sum(4) + sum(6), sum(5), sum(7)),
        (raw("absent"), raw("late"), listed)
    );
    // Tonight's open absence has its follow-up in progress.
    assert!(
        a.rows[..listed]
            .iter()
            .any(|r| r[8].ends_with("电话未接通，已通知班主任")),
        "{:?}",
        &a.rows[..listed]
    );
}
