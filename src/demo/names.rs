//! Names as a county school's roster has them: given names kept apart by
//! gender and generation, and the relations a guardian can have by gender,
//! so a girl is never marked 男 and a 父亲 is never called 雪梅.

use crate::domain::roster::Gender;
use rand::Rng;
use rand::rngs::StdRng;

pub const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁",
    "任", "沈", "欧阳", "单",
];

/// Boarders (born in the early 2010s).
pub const BOYS: &[&str] = &[
    "浩然", "子轩", "宇轩", "俊杰", "浩宇", "梓豪", "一鸣", "博文", "天佑", "家豪", "明轩", "思远",
    "志鹏", "泽宇", "皓轩", "晨阳", "嘉乐", "鑫", "宇航", "子豪",
];
pub const GIRLS: &[&str] = &[
    "欣怡", "子涵", "梓萱", "雨桐", "诗涵", "一诺", "可馨", "佳怡", "紫萱", "思琪", "雨欣", "梦瑶",
    "语嫣", "若曦", "婷", "静怡", "晓雯", "雅琪", "欣妍", "悦",
];
/// Parents, uncles, aunts and the adults who come on business.
pub const MEN: &[&str] = &[
    "伟", "强", "磊", "军", "洋", "勇", "杰", "涛", "明", "超", "刚", "建华", "志强", "建国",
    "德明", "国庆", "长江", "晓东", "新民", "宏伟", "光辉", "海波", "红军", "小龙", "立新",
];
pub const WOMEN: &[&str] = &[
    "芳", "娜", "秀英", "敏", "静", "丽", "艳", "娟", "秀兰", "霞", "桂英", "玉兰", "海燕", "春梅",
    "小红", "丽华", "淑珍", "金凤", "雪梅", "翠花", "美玲", "桂芳", "玉梅", "晓燕", "红梅",
];
/// Grandparents, who bring up most left-behind children.
pub const OLD_MEN: &[&str] = &[
    "德福", "长贵", "有财", "树林", "正国", "福生", "金山", "富贵", "永昌", "世明",
];
pub const OLD_WOMEN: &[&str] = &[
    "秀英", "桂英", "玉兰", "凤英", "秀珍", "淑英", "桂兰", "素芬", "翠英", "秀兰",
];

/// Every relation the generator gives a guardian or a visiting parent, with
/// the gender it implies.
pub const RELATIONS: &[(&str, Gender)] = &[
    ("父亲", Gender::Male),
    ("母亲", Gender::Female),
    ("爷爷", Gender::Male),
    ("奶奶", Gender::Female),
    ("外公", Gender::Male),
    ("外婆", Gender::Female),
    ("叔叔", Gender::Male),
    ("姑姑", Gender::Female),
];

/// The given names the generator draws for one gender, all generations.
pub fn given_names(g: Gender) -> impl Iterator<Item = &'static str> {
    let lists: [&[&'static str]; 3] = match g {
        Gender::Male => [BOYS, MEN, OLD_MEN],
        Gender::Female => [GIRLS, WOMEN, OLD_WOMEN],
    };
    lists.into_iter().flatten().copied()
}

/// Splits a generated name into surname and given name (the longest
/// surname that fits, so 欧阳 is not read as 欧).
pub fn split(name: &str) -> Option<(&str, &str)> {
    SURNAMES
        .iter()
        .filter(|s| name.starts_with(**s) && name.len() > s.len())
        .max_by_key(|s| s.len())
        .map(|s| name.split_at(s.len()))
}

pub(super) fn pick(rng: &mut StdRng, list: &[&'static str]) -> &'static str {
    list[rng.random_range(0..list.len())]
}

/// A surname other than `not`: a mother or a grandmother keeps her own.
pub(super) fn other_surname(rng: &mut StdRng, not: &str) -> &'static str {
    loop {
        let s = pick(rng, SURNAMES);
        if s != not {
            return s;
        }
    }
}

/// `surname` + a given name from `list`, not already in `taken` (a guardian
/// never shares the student's name, nor another guardian's); then taken.
pub(super) fn fresh(
    rng: &mut StdRng,
    taken: &mut Vec<String>,
    surname: &str,
    list: &[&'static str],
) -> String {
    // Lists hold ten names or more and a family four people at most, so a
    // free one is found within a few draws.
    loop {
        let n = format!("{surname}{}", pick(rng, list));
        if !taken.contains(&n) {
            taken.push(n.clone());
            return n;
        }
    }
}

/// An adult's name of the given gender (working age).
pub(super) fn adult(rng: &mut StdRng, g: Gender) -> String {
    let surname = pick(rng, SURNAMES);
    let list = match g {
        Gender::Male => MEN,
        Gender::Female => WOMEN,
    };
    format!("{surname}{}", pick(rng, list))
}
