//! A strict reader of the Prometheus text exposition format (version 0.0.4),
//! for tests: what `/metrics` serves must be what a Prometheus server can
//! ingest. It checks the grammar of every line, that `# TYPE` precedes a
//! family's samples and is given once, and that histograms are whole
//! (cumulative buckets ending at `+Inf`, equal to `_count`, with `_sum`).

use std::collections::{BTreeMap, HashMap, HashSet};

/// One sample: its name, its labels (sorted) and its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub value: f64,
}

/// Every sample of a scrape, or the first line that breaks the format.
pub fn parse(text: &str) -> Result<Vec<Sample>, String> {
    let mut types: HashMap<String, String> = HashMap::new();
    let mut helped: HashSet<String> = HashSet::new();
    let mut samples = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let fail = |why: &str| Err(format!("line {}: {why}: {line:?}", number + 1));
        if line.trim().is_empty() {
            continue;
        }
        if let Some(comment) = line.strip_prefix('#') {
            let mut words = comment.trim_start().splitn(3, ' ');
            match (words.next(), words.next(), words.next()) {
                (Some("TYPE"), Some(name), Some(kind)) => {
                    if !is_metric_name(name) {
                        return fail("bad metric name");
                    }
                    if !["counter", "gauge", "histogram", "summary", "untyped"].contains(&kind) {
                        return fail("unknown type");
                    }
                    if samples
                        .iter()
                        .any(|sample: &Sample| family_of(&sample.name, &types) == name)
                    {
                        return fail("TYPE after the family's samples");
                    }
                    if types.insert(name.to_owned(), kind.to_owned()).is_some() {
                        return fail("TYPE given twice");
                    }
                }
                (Some("HELP"), Some(name), _)
                    if !is_metric_name(name) || !helped.insert(name.to_owned()) =>
                {
                    return fail("bad or repeated HELP");
                }
                // Other comments are allowed and ignored.
                _ => {}
            }
            continue;
        }
        match sample(line) {
            Some(sample) => samples.push(sample),
            None => return fail("not a sample"),
        }
    }
    check_histograms(&samples, &types)?;
    Ok(samples)
}

fn is_metric_name(name: &str) -> bool {
    let mut characters = name.chars();
    characters
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic() || first == '_' || first == ':')
        && characters.all(|character| character.is_ascii_alphanumeric() || "_:".contains(character))
}

fn is_label_name(name: &str) -> bool {
    let mut characters = name.chars();
    characters
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic() || first == '_')
        && characters.all(|character| character.is_ascii_alphanumeric() || character == '_')
}

/// The family a sample belongs to: a histogram's `_bucket`, `_sum` and
/// `_count` series belong to the histogram.
fn family_of<'a>(name: &'a str, types: &HashMap<String, String>) -> &'a str {
    for suffix in ["_bucket", "_sum", "_count"] {
        if let Some(base) = name.strip_suffix(suffix)
            && types
                .get(base)
                .is_some_and(|kind| kind == "histogram" || kind == "summary")
        {
            return base;
        }
    }
    name
}

fn sample(line: &str) -> Option<Sample> {
    let name_end = line.find(['{', ' ']).unwrap_or(line.len());
    let name = &line[..name_end];
    if !is_metric_name(name) {
        return None;
    }
    let mut rest = &line[name_end..];
    let mut labels = BTreeMap::new();
    if let Some(inside) = rest.strip_prefix('{') {
        rest = inside;
        loop {
            rest = rest.trim_start_matches(' ');
            if let Some(after) = rest.strip_prefix('}') {
                rest = after;
                break;
            }
            let equals = rest.find('=')?;
            let label = &rest[..equals];
            if !is_label_name(label) {
                return None;
            }
            let (value, after) = quoted(rest[equals + 1..].strip_prefix('"')?)?;
            if labels.insert(label.to_owned(), value).is_some() {
                return None;
            }
            rest = after.strip_prefix(',').unwrap_or(after);
            if !after.starts_with(',') && !after.starts_with('}') {
                return None;
            }
        }
    }
    let mut fields = rest.strip_prefix(' ')?.split(' ');
    let value = number(fields.next()?)?;
    // An optional timestamp, in milliseconds.
    if let Some(timestamp) = fields.next() {
        timestamp.parse::<i64>().ok()?;
    }
    if fields.next().is_some() {
        return None;
    }
    Some(Sample {
        name: name.to_owned(),
        labels,
        value,
    })
}

/// A label value up to its closing quote, unescaped; and what follows.
fn quoted(text: &str) -> Option<(String, &str)> {
    let mut value = String::new();
    let mut characters = text.char_indices();
    while let Some((at, character)) = characters.next() {
        match character {
            '"' => return Some((value, &text[at + 1..])),
            '\\' => match characters.next()?.1 {
                'n' => value.push('\n'),
                '\\' => value.push('\\'),
                '"' => value.push('"'),
                _ => return None,
            },
            '\n' => return None,
            other => value.push(other),
        }
    }
    None
}

fn number(text: &str) -> Option<f64> {
    match text {
        "+Inf" => Some(f64::INFINITY),
        "-Inf" => Some(f64::NEG_INFINITY),
        "NaN" => Some(f64::NAN),
        _ => text.parse().ok(),
    }
}

/// A series' labels, in order, without `le`.
type Series = Vec<(String, String)>;

fn check_histograms(samples: &[Sample], types: &HashMap<String, String>) -> Result<(), String> {
    for (family, _) in types.iter().filter(|(_, kind)| *kind == "histogram") {
        // Series of the family, by their labels other than `le`.
        let mut buckets: BTreeMap<Series, Vec<(f64, f64)>> = BTreeMap::new();
        let mut counts = BTreeMap::new();
        let mut sums = HashSet::new();
        for sample in samples {
            let mut labels = sample.labels.clone();
            if sample.name == format!("{family}_bucket") {
                let bound = labels
                    .remove("le")
                    .and_then(|bound| number(&bound))
                    .ok_or_else(|| format!("{family}: a bucket without a valid le"))?;
                buckets
                    .entry(labels.into_iter().collect())
                    .or_default()
                    .push((bound, sample.value));
            } else if sample.name == format!("{family}_count") {
                counts.insert(labels.into_iter().collect::<Series>(), sample.value);
            } else if sample.name == format!("{family}_sum") {
                sums.insert(labels.into_iter().collect::<Series>());
            }
        }
        for (series, bounds) in &buckets {
            let in_order = bounds
                .windows(2)
                .all(|pair| pair[0].0 < pair[1].0 && pair[0].1 <= pair[1].1);
            let last = bounds.last().copied();
            if !in_order || last.is_none_or(|(bound, _)| bound != f64::INFINITY) {
                return Err(format!(
                    "{family}{series:?}: buckets not cumulative up to +Inf"
                ));
            }
            if counts.get(series) != last.map(|(_, count)| count).as_ref() || !sums.contains(series)
            {
                return Err(format!(
                    "{family}{series:?}: _count or _sum missing or unequal"
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_formed_text_is_read() {
        let text = "# HELP requests_total Requests.\n# TYPE requests_total counter\n\
                    requests_total{route=\"/a\",status=\"200\"} 3\n\
                    # TYPE latency histogram\n\
                    latency_bucket{le=\"0.1\"} 1\nlatency_bucket{le=\"+Inf\"} 2\n\
                    latency_sum 0.3\nlatency_count 2\nup 1 1700000000000\n\
                    escaped{text=\"say \\\"hi\\\"\\n\"} 1\n";
        let samples = parse(text).unwrap();
        assert_eq!(samples.len(), 7);
        assert_eq!(samples[0].labels["route"], "/a");
        assert_eq!(samples[0].value, 3.0);
        assert_eq!(samples[6].labels["text"], "say \"hi\"\n");
    }

    #[test]
    fn broken_text_is_refused() {
        for broken in [
            "requests_total{route=\"/a\" 3",
            "requests total 3",
            "requests_total{route=/a} 3",
            "requests_total three",
            "requests_total{route=\"/a\",route=\"/b\"} 3",
            "requests_total{1route=\"/a\"} 3",
            "# TYPE requests_total counter\n# TYPE requests_total gauge",
            "x 1\n# TYPE x counter",
            "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1",
            "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1",
            "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 1",
        ] {
            assert!(parse(broken).is_err(), "{broken:?}");
        }
    }
}
