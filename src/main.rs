fn main() {
    let dictionary = hyoka::analysis::dictionary::load().unwrap();
    let segmenter = lindera::segmenter::Segmenter::new(lindera::mode::Mode::Normal, dictionary, None);
    for token in segmenter.segment("目的外の入手が行われるリスク、サーバー室".into()).unwrap() {
        println!("{}", token.surface);
    }
}
