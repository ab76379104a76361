//! What a boarder search box is matched against. The roll-call jumps to a
//! bed by its digits alone ("3035": room 303, bed 5), so a picker given the
//! same digits must find the boarder, whose search text holds "303-5".

use super::validate::normalize_input;

/// The texts to look for, most likely first: for 4–6 plain digits, each
/// "room-bed" reading with a room of 3–4 digits and a bed of 1–2 (the way
/// beds are written in the search text), then the query itself (a student
/// number, a phone). Full-width digits count as digits; anything else is
/// only the query, normalised.
pub fn search_forms(q: &str) -> Vec<String> {
    let q = normalize_input(q).to_lowercase();
    if q.is_empty() {
        return vec![];
    }
    let mut forms = vec![];
    if (4..=6).contains(&q.len()) && q.bytes().all(|b| b.is_ascii_digit()) {
        for bed in 1..=2 {
            let room = q.len() - bed;
            if (3..=4).contains(&room) {
                forms.push(format!("{}-{}", &q[..room], &q[room..]));
            }
        }
    }
    forms.push(q);
    forms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bed_digits_read_as_room_and_bed() {
        assert_eq!(search_forms("3035"), ["303-5", "3035"]);
        assert_eq!(search_forms(" ３０３５ "), ["303-5", "3035"]);
        assert_eq!(search_forms("30512"), ["3051-2", "305-12", "30512"]);
        assert_eq!(search_forms("101225"), ["1012-25", "101225"]);
    }

    #[test]
    fn other_queries_stay_as_typed() {
        assert_eq!(search_forms("303-5"), ["303-5"]);
        assert_eq!(search_forms("303"), ["303"]);
        assert_eq!(search_forms("13800138000"), ["13800138000"]);
        assert_eq!(search_forms("WXM"), ["wxm"]);
        assert_eq!(search_forms("王小明"), ["王小明"]);
        assert!(search_forms("  ").is_empty());
        // Multi-byte text never splits inside a character.
        assert_eq!(search_forms("３０３五"), ["303五"]);
    }
}
