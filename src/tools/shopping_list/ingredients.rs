//! Recipe ingredient lines ("1 1/2 cups flour", "200 g butter", "salt") split into quantity,
//! unit and name, scaled, and formatted back, for `shopping_list_add_recipe`.

/// Units recognised after a quantity (lower case, singular and plural).
const UNITS: &[&str] = &[
    "g",
    "gram",
    "grams",
    "kg",
    "kilogram",
    "kilograms",
    "mg",
    "ml",
    "milliliter",
    "milliliters",
    "millilitre",
    "millilitres",
    "l",
    "liter",
    "liters",
    "litre",
    "litres",
    "dl",
    "cl",
    "tsp",
    "teaspoon",
    "teaspoons",
    "tbsp",
    "tablespoon",
    "tablespoons",
    "cup",
    "cups",
    "oz",
    "ounce",
    "ounces",
    "lb",
    "lbs",
    "pound",
    "pounds",
    "pinch",
    "pinches",
    "clove",
    "cloves",
    "can",
    "cans",
    "pack",
    "packs",
    "package",
    "packages",
    "bag",
    "bags",
    "slice",
    "slices",
    "bunch",
    "bunches",
    "piece",
    "pieces",
    "pc",
    "pcs",
    "el",
    "tl",
    "stick",
    "sticks",
    "jar",
    "jars",
    "bottle",
    "bottles",
];

/// One parsed ingredient line.
#[derive(Debug, Clone, PartialEq)]
pub struct Ingredient {
    /// Amount, when the line starts with one.
    pub quantity: Option<f64>,
    /// Unit as written, when one follows the amount.
    pub unit: Option<String>,
    /// The rest: what to buy.
    pub name: String,
}

fn unicode_fraction(c: char) -> Option<f64> {
    Some(match c {
        '½' => 0.5,
        '¼' => 0.25,
        '¾' => 0.75,
        '⅓' => 1.0 / 3.0,
        '⅔' => 2.0 / 3.0,
        '⅛' => 0.125,
        _ => return None,
    })
}

/// A number token: `2`, `1.5`, `1,5`, `1/2`, `½`, `1½`.
fn number(token: &str) -> Option<f64> {
    if let Some((a, b)) = token.split_once('/') {
        let (a, b): (f64, f64) = (a.parse().ok()?, b.parse().ok()?);
        return (b != 0.0).then_some(a / b);
    }
    let mut chars = token.chars();
    if let Some(last) = chars.next_back()
        && let Some(frac) = unicode_fraction(last)
    {
        let whole = chars.as_str();
        return if whole.is_empty() {
            Some(frac)
        } else {
            whole.parse::<f64>().ok().map(|w| w + frac)
        };
    }
    token
        .replace(',', ".")
        .parse()
        .ok()
        .filter(|n: &f64| n.is_finite() && *n >= 0.0)
}

/// Splits an ingredient line.
pub fn parse(line: &str) -> Ingredient {
    let tokens: Vec<&str> = line.split_whitespace().collect();
    let mut quantity: Option<f64> = None;
    let mut i = 0;
    while i < tokens.len() && i < 2 {
        // "2-3 eggs": the first number of a range.
        let token = tokens[i].split('-').next().unwrap_or(tokens[i]);
        match number(token) {
            // "1 1/2": a whole number followed by a fraction.
            Some(n) if quantity.is_none() || tokens[i].contains('/') => {
                quantity = Some(quantity.unwrap_or(0.0) + n);
                i += 1;
            }
            _ => break,
        }
    }
    let mut unit = None;
    if quantity.is_some()
        && let Some(token) = tokens.get(i)
    {
        let bare = token.trim_end_matches('.').to_lowercase();
        if UNITS.contains(&bare.as_str()) {
            unit = Some(token.trim_end_matches('.').to_string());
            i += 1;
            if tokens.get(i).is_some_and(|t| t.eq_ignore_ascii_case("of")) {
                i += 1;
            }
        }
    }
    let name = tokens[i.min(tokens.len())..].join(" ");
    if quantity.is_some() && name.is_empty() {
        return Ingredient {
            quantity: None,
            unit: None,
            name: line.trim().to_string(),
        };
    }
    Ingredient {
        quantity,
        unit,
        name,
    }
}

/// A quantity as the Shopping List stores it: at most two decimals, no trailing zeros.
pub fn format_quantity(q: f64) -> String {
    let rounded = (q * 100.0).round() / 100.0;
    let text = format!("{rounded:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A free-text quantity as a number (for merging with an existing item).
pub fn parse_quantity(text: &str) -> Option<f64> {
    let tokens: Vec<&str> = text.split_whitespace().collect();
    match tokens.as_slice() {
        [one] => number(one),
        [whole, frac] if frac.contains('/') => Some(number(whole)? + number(frac)?),
        _ => None,
    }
}

/// Units compared for merging: case and a plural `s` ignored.
pub fn same_unit(a: Option<&str>, b: Option<&str>) -> bool {
    let norm = |u: Option<&str>| {
        u.map(|u| u.trim().to_lowercase())
            .filter(|u| !u.is_empty())
            .map(|u| u.strip_suffix('s').map(str::to_string).unwrap_or(u))
    };
    norm(a) == norm(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(line: &str) -> (Option<f64>, Option<String>, String) {
        let i = parse(line);
        (i.quantity, i.unit, i.name)
    }

    #[test]
    fn lines_split_into_quantity_unit_and_name() {
        assert_eq!(
            p("6 1/2 pounds apples (peeled, cored and sliced)"),
            (
                Some(6.5),
                Some("pounds".into()),
                "apples (peeled, cored and sliced)".into()
            )
        );
        assert_eq!(
            p("1/4 teaspoon salt"),
            (Some(0.25), Some("teaspoon".into()), "salt".into())
        );
        assert_eq!(
            p("200 g flour"),
            (Some(200.0), Some("g".into()), "flour".into())
        );
        assert_eq!(p("2 eggs"), (Some(2.0), None, "eggs".into()));
        assert_eq!(
            p("½ cup milk"),
            (Some(0.5), Some("cup".into()), "milk".into())
        );
        assert_eq!(
            p("1 pack of pre-fried chips"),
            (Some(1.0), Some("pack".into()), "pre-fried chips".into())
        );
        assert_eq!(p("salt"), (None, None, "salt".into()));
        assert_eq!(p("2-3 eggs"), (Some(2.0), None, "eggs".into()));
        assert_eq!(
            p("1,5 l Milch"),
            (Some(1.5), Some("l".into()), "Milch".into())
        );
    }

    #[test]
    fn quantities_format_and_merge() {
        assert_eq!(format_quantity(6.5 * 0.5), "3.25");
        assert_eq!(format_quantity(2.0), "2");
        assert_eq!(format_quantity(1.0 / 3.0), "0.33");
        assert_eq!(parse_quantity("1 1/2"), Some(1.5));
        assert_eq!(parse_quantity("some"), None);
        assert!(same_unit(Some("Cups"), Some("cup")));
        assert!(same_unit(None, Some("")));
        assert!(!same_unit(Some("g"), None));
    }
}
