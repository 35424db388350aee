//! TLS on every TLS capture of `../shared/pcaps/packetbeat`, through the CLI, checked against
//! the facts its MANIFEST states and Packetbeat's golden files for the same captures (JA3,
//! established, version, cipher, next_protocol, SNI, certificate details, option variants).
//! JA3S values are the ones Wireshark computes for these captures.

mod common;
use common::{pcap, run_capture};
use serde_json::Value;

/// Runs `capture` with tls on `ports` plus `options` (YAML flow-map entries).
fn tls(capture: &str, ports: &str, options: &str) -> Vec<Value> {
    let cfg = format!(
        "packetbeat.flows.enabled: false\npacketbeat.protocols:\n- {{type: tls, ports: {ports}{}{options}}}\n",
        if options.is_empty() { "" } else { ", " }
    );
    let run = run_capture(&cfg, &pcap(capture), &[]);
    assert!(run.output.status.success(), "{capture}: {}", run.stderr());
    run.of_type("tls").into_iter().cloned().collect()
}

fn one(capture: &str, options: &str) -> Value {
    let ev = tls(capture, "[443]", options);
    assert_eq!(ev.len(), 1, "{capture}: {ev:#?}");
    ev.into_iter().next().unwrap()
}

#[test]
fn http2_16_ssl_localhost_handshake() {
    let e = one("http2-16-ssl.pcap", "");
    assert_eq!(e["status"], "OK");
    assert_eq!(e["tls"]["established"], true);
    assert_eq!(e["tls"]["resumed"], false);
    assert_eq!(e["destination"]["domain"], "localhost");
    assert_eq!(e["server"]["domain"], "localhost");
    assert_eq!(e["tls"]["client"]["server_name"], "localhost");
    assert_eq!(
        e["tls"]["client"]["ja3"],
        "ba7a226ea102737ecfa8959f26b28b95"
    );
    assert_eq!(
        e["tls"]["server"]["ja3s"],
        "957ca065469c0e8ba08f0b2d0244f092"
    );
    assert_eq!(e["tls"]["detailed"]["version"], "TLS 1.2");
    assert_eq!(e["tls"]["version"], "1.2");
    assert_eq!(e["tls"]["version_protocol"], "tls");
    // The draft HTTP/2 ALPN token the server selected.
    assert_eq!(e["tls"]["next_protocol"], "h2-16");
    assert!(e["network"].get("bytes").is_none(), "no byte counts");
    assert!(e["source"].get("bytes").is_none());
    assert!(e["event"]["duration"].as_u64().unwrap() > 0);
}

#[test]
fn tls_sample1_client_hello_only_is_an_error() {
    let e = one("tls-sample1.pcap", "");
    assert_eq!(e["status"], "Error");
    assert_eq!(e["tls"]["established"], false);
    assert_eq!(e["tls"]["resumed"], false);
    assert!(e["event"].get("duration").is_none());
    assert!(e["tls"].get("cipher").is_none());
    assert_eq!(
        e["tls"]["client"]["ja3"],
        "b20b44b18b853ef29ab773e921b03422"
    );
    assert_eq!(e["tls"]["client"]["server_name"], "www.elastic.co");
    assert_eq!(e["destination"]["domain"], "www.elastic.co");
    assert_eq!(e["tls"]["version"], "1.2");
    let ch = &e["tls"]["detailed"]["client_hello"];
    assert_eq!(
        ch["extensions"]["_unparsed_"],
        serde_json::json!([
            "23",
            "renegotiation_info",
            "status_request",
            "51",
            "45",
            "28",
            "21"
        ])
    );
    assert_eq!(ch["extensions"]["session_ticket"], "");
    assert_eq!(
        ch["extensions"]["supported_versions"],
        serde_json::json!(["TLS 1.3", "TLS 1.2", "TLS 1.1", "TLS 1.0"])
    );
    assert_eq!(
        ch["session_id"],
        "e0181848607f91f9b42672de709ed1df3a811c7b913f9348da2136b758d0242f"
    );
    assert_eq!(
        e["tls"]["client"]["supported_ciphers"]
            .as_array()
            .unwrap()
            .len(),
        18
    );
    assert_eq!(
        e["tls"]["client"]["supported_ciphers"][0],
        "TLS_AES_128_GCM_SHA256"
    );
}

#[test]
fn tls_sample2_full_handshake_with_certificates() {
    let e = one("tls-sample2.pcap", "");
    let t = &e["tls"];
    assert_eq!(e["status"], "OK");
    assert_eq!(t["established"], true);
    assert_eq!(t["resumed"], false);
    assert_eq!(t["cipher"], "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    assert_eq!(t["client"]["ja3"], "e6573e91e6eb777c0933c5b8f97f10cd");
    assert_eq!(t["server"]["ja3s"], "ae53107a2e47ea20c72ac44821a728bf");
    assert_eq!(t["next_protocol"], "h2");
    assert_eq!(t["curve"], "secp256r1");
    assert_eq!(e["destination"]["domain"], "example.net");
    assert_eq!(e["event"]["duration"], 364625000);
    assert_eq!(
        e["network"]["community_id"],
        "1:fx1jENdlg6r3LIvBRG3wEboWbPY="
    );
    assert_eq!(t["client"]["supported_ciphers"][12], "(unknown:0xff85)");
    assert_eq!(
        t["client"]["supported_ciphers"][15],
        "TLS_GOSTR341001_WITH_28147_CNT_IMIT"
    );
    // Leaf certificate.
    assert_eq!(
        t["server"]["hash"]["sha1"],
        "7BB698386970363D2919CC5772846984FFD4A889"
    );
    assert!(
        t["server"]["hash"].get("md5").is_none(),
        "sha1 only by default"
    );
    assert_eq!(
        t["server"]["subject"],
        "CN=www.example.org,OU=Technology,O=Internet Corporation for Assigned Names and Numbers,L=Los Angeles,ST=California,C=US"
    );
    assert_eq!(
        t["server"]["issuer"],
        "CN=DigiCert SHA2 Secure Server CA,O=DigiCert Inc,C=US"
    );
    assert_eq!(t["server"]["not_before"], "2018-11-28T00:00:00.000Z");
    assert_eq!(t["server"]["not_after"], "2020-12-02T12:00:00.000Z");
    let x = &t["server"]["x509"];
    assert_eq!(x["serial_number"], "FD078DD48F1A2BD4D0F2BA96B6038FE");
    assert_eq!(x["version_number"], 3);
    assert_eq!(x["public_key_algorithm"], "RSA");
    assert_eq!(x["public_key_size"], 2048);
    assert_eq!(x["signature_algorithm"], "SHA256-RSA");
    assert_eq!(x["subject"]["state_or_province"], "California");
    assert_eq!(x["issuer"]["common_name"], "DigiCert SHA2 Secure Server CA");
    assert_eq!(x["alternative_names"].as_array().unwrap().len(), 8);
    assert_eq!(x["alternative_names"][3], "example.net");
    // The rest of the chain.
    let chain = t["detailed"]["server_certificate_chain"]
        .as_array()
        .unwrap();
    assert_eq!(chain.len(), 2);
    assert_eq!(chain[0]["serial_number"], "1FDA3EB6ECA75C888438B724BCFBC91");
    assert_eq!(
        chain[0]["subject"]["common_name"],
        "DigiCert SHA2 Secure Server CA"
    );
    assert_eq!(chain[1]["signature_algorithm"], "SHA1-RSA");
    assert_eq!(chain[1]["not_after"], "2031-11-10T00:00:00.000Z");
    let sh = &t["detailed"]["server_hello"];
    assert_eq!(
        sh["extensions"]["_unparsed_"],
        serde_json::json!(["renegotiation_info", "server_name_indication"])
    );
    assert_eq!(sh["selected_compression_method"], "NULL");
    assert_eq!(
        sh["session_id"],
        "23bb2aed5d215e1228220b0a51d7aa220785e9e4b83b4f430229117971e9913f"
    );
    assert_eq!(t["detailed"]["client_certificate_requested"], false);
    assert!(t["server"].get("certificate_chain").is_none());
}

#[test]
fn tls_sample2_all_fingerprints_and_raw_certificates() {
    let e = one(
        "tls-sample2.pcap",
        "fingerprints: [md5, sha1, sha256], include_raw_certificates: true",
    );
    let s = &e["tls"]["server"];
    assert_eq!(s["hash"]["md5"], "3510C21C66BD62010FC547D3CD3F0CE6");
    assert_eq!(
        s["hash"]["sha1"],
        "7BB698386970363D2919CC5772846984FFD4A889"
    );
    assert_eq!(
        s["hash"]["sha256"],
        "9250711C54DE546F4370E0C3D3A3EC45BC96092A25A4A71A1AFA396AF7047EB8"
    );
    let pems = s["certificate_chain"].as_array().unwrap();
    assert_eq!(pems.len(), 3, "leaf and chain");
    let leaf = pems[0].as_str().unwrap();
    assert!(leaf.starts_with(
        "-----BEGIN CERTIFICATE-----\nMIIHQDCCBiigAwIBAgIQD9B43Ujxor1NDyupa2A4/jANBgkqhkiG9w0BAQsFADBN\n"
    ));
    assert!(leaf.ends_with("\n-----END CERTIFICATE-----\n"));
}

#[test]
fn tls_sample2_option_variants() {
    // Without detailed fields: no tls.detailed, no x509; the summary stays.
    let e = one("tls-sample2.pcap", "include_detailed_fields: false");
    assert!(e["tls"].get("detailed").is_none());
    assert!(e["tls"]["server"].get("x509").is_none());
    assert_eq!(
        e["tls"]["server"]["hash"]["sha1"],
        "7BB698386970363D2919CC5772846984FFD4A889"
    );
    assert_eq!(e["tls"]["cipher"], "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    // Without certificates: no certificate fields at all, but raw PEM when asked for.
    let e = one(
        "tls-sample2.pcap",
        "send_certificates: false, include_raw_certificates: true",
    );
    let s = &e["tls"]["server"];
    assert!(s.get("subject").is_none() && s.get("hash").is_none() && s.get("x509").is_none());
    assert!(e["tls"]["detailed"]
        .get("server_certificate_chain")
        .is_none());
    assert_eq!(s["certificate_chain"].as_array().unwrap().len(), 3);
    // No fingerprints.
    let e = one("tls-sample2.pcap", "fingerprints: []");
    assert!(e["tls"]["server"].get("hash").is_none());
}

#[test]
fn tls_version_13_from_supported_versions() {
    let e = one("tls-version-13.pcap", "");
    let t = &e["tls"];
    assert_eq!(e["status"], "OK");
    assert_eq!(t["version"], "1.3");
    assert_eq!(t["detailed"]["version"], "TLS 1.3");
    assert_eq!(t["detailed"]["server_hello"]["version"], "3.3");
    assert_eq!(
        t["detailed"]["server_hello"]["extensions"]["supported_versions"],
        "TLS 1.3"
    );
    assert_eq!(t["established"], true);
    assert_eq!(t["cipher"], "TLS_AES_128_GCM_SHA256");
    assert_eq!(t["curve"], "x25519");
    assert_eq!(t["client"]["ja3"], "d470a3fa301d80227bc5650c75567d25");
    assert_eq!(t["server"]["ja3s"], "2b0648ab686ee45e0e7c35fcfb0eea7e");
    assert_eq!(t["client"]["ja4"], "t13d1813h2_29a2cd9e9f10_84e5d5db657c");
    assert_eq!(t["client"]["server_name"], "play.google.com");
    assert_eq!(e["event"]["duration"], 12280000);
    // The server accepted a pre-shared key (extension 41 in its hello).
    assert_eq!(t["resumed"], true);
    assert_eq!(t["detailed"]["resumption_method"], "psk");
    assert_eq!(
        t["detailed"]["server_hello"]["extensions"]["_unparsed_"],
        serde_json::json!(["41", "51"])
    );
    // Certificates are encrypted in TLS 1.3.
    assert!(t["server"].get("x509").is_none());
}

#[test]
fn application_data_without_a_handshake_gives_no_event() {
    // http_basicauth.pcap also holds TLS 1.2 application data on 443 whose handshake was
    // not captured.
    let ev = tls("http_basicauth.pcap", "[443]", "");
    assert!(ev.is_empty(), "{ev:#?}");
}

#[test]
fn starttls_after_a_plaintext_prefix_is_not_analysed() {
    // http_10_connection_close.pcap has a PostgreSQL connection that upgrades to TLS after an
    // 8-byte SSLRequest. Wirebeat stops at the first non-TLS bytes of a connection (a
    // documented departure: Packetbeat retries at the next segment).
    let ev = tls("http_10_connection_close.pcap", "[5432]", "");
    assert!(ev.is_empty(), "{ev:#?}");
}

#[test]
fn unknown_option_names_the_nearest_key() {
    let cfg = "packetbeat.protocols:\n- {type: tls, ports: [443], send_certificate: false}\n";
    let run = run_capture(cfg, &pcap("tls-sample2.pcap"), &[]);
    assert!(!run.output.status.success());
    let err = run.stderr();
    assert!(
        err.contains("send_certificate") && err.contains("did you mean \"send_certificates\""),
        "{err}"
    );
    let cfg = "packetbeat.protocols:\n- {type: tls, ports: [443], fingerprints: [sha512]}\n";
    let run = run_capture(cfg, &pcap("tls-sample2.pcap"), &[]);
    assert!(!run.output.status.success());
    assert!(
        run.stderr().contains("unknown hash \"sha512\""),
        "{}",
        run.stderr()
    );
}
