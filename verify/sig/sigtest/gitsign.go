package sigtest

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	_ "crypto/sha1" // SHA-1 signatures are minted, to be refused
	_ "crypto/sha256"
	_ "crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"slices"
	"strconv"
	"strings"
	"time"

	protorekor "github.com/sigstore/protobuf-specs/gen/pb-go/rekor/v1"
	"github.com/sigstore/sigstore-go/pkg/testing/ca"
	"github.com/sigstore/sigstore-go/pkg/tlog"
	"google.golang.org/protobuf/proto"
)

// GitsignOpts shapes a signature minted by MintGitsign. The zero value is
// what gitsign writes in offline mode with a timestamp authority
// configured: ECDSA P-256, SHA-256, one signer, the leaf certificate only,
// an RFC 3161 timestamp token and the Rekor entry (without its body) as
// unsigned attributes.
type GitsignOpts struct {
	// NoTimestamp leaves out the RFC 3161 timestamp token.
	NoTimestamp bool
	// NoRekor leaves out the Rekor transparency-log entry.
	NoRekor bool
	// InclusionProof adds an inclusion proof to the Rekor entry.
	InclusionProof bool
	// ByHand signs with the leaf key directly instead of through
	// VirtualSigstore.Sign: the signature has no Rekor entry. Needed for
	// Ed25519 and RSA Sigstores.
	ByHand bool
	// Hash is the SignerInfo digest algorithm (SHA-1, SHA-256 or SHA-512);
	// zero means SHA-256. Any other than SHA-256 signs by hand.
	Hash crypto.Hash
	// CertFrom issues the certificate from another Sigstore (signs by
	// hand); TSAFrom has another timestamp authority timestamp it.
	CertFrom, TSAFrom *ca.VirtualSigstore
	// TimestampOver timestamps these bytes instead of the signature.
	TimestampOver []byte
	// RekorFrom embeds the Rekor entry of a signature over these bytes
	// instead of the real signed attributes.
	RekorFrom []byte
	// SignedPayload is signed instead of the payload.
	SignedPayload []byte
	// TwoSigners repeats the SignerInfo.
	TwoSigners bool
}

// Object identifiers of the CMS structures gitsign writes (RFC 5652,
// RFC 3161, RFC 5758, RFC 8410 and Sigstore's private arc), written in
// the dotted form of those documents and independently of package sig:
// a wrong constant there then fails its tests instead of agreeing with
// itself.
var (
	cmsSignedData   = oid("1.2.840.113549.1.7.2")
	cmsData         = oid("1.2.840.113549.1.7.1")
	attrContentType = oid("1.2.840.113549.1.9.3")
	attrDigest      = oid("1.2.840.113549.1.9.4")
	attrSigningTime = oid("1.2.840.113549.1.9.5")
	attrTimestamp   = oid("1.2.840.113549.1.9.16.2.14")
	attrRekorEntry  = oid("1.3.6.1.4.1.57264.3.1")

	digestOIDs = map[crypto.Hash]asn1.ObjectIdentifier{
		crypto.SHA1:   oid("1.3.14.3.2.26"),
		crypto.SHA256: oid("2.16.840.1.101.3.4.2.1"),
		crypto.SHA512: oid("2.16.840.1.101.3.4.2.3"),
	}
	// ECDSA signature algorithms by digest; SHA-1 is written as the bare
	// id-ecPublicKey, as some CMS writers do.
	ecdsaOIDs = map[crypto.Hash]asn1.ObjectIdentifier{
		crypto.SHA1:   oid("1.2.840.10045.2.1"),
		crypto.SHA256: oid("1.2.840.10045.4.3.2"),
		crypto.SHA512: oid("1.2.840.10045.4.3.4"),
	}
	rsaSHA256 = oid("1.2.840.113549.1.1.11")
	ed25519ID = oid("1.3.101.112")
)

// oid parses a dotted object identifier constant of this file.
func oid(dotted string) asn1.ObjectIdentifier {
	var id asn1.ObjectIdentifier
	for arc := range strings.SplitSeq(dotted, ".") {
		n, err := strconv.Atoi(arc)
		if err != nil {
			panic("sigtest: bad OID constant " + dotted)
		}
		id = append(id, n)
	}
	return id
}

// MintGitsign signs payload (a tag or commit object without its signature)
// as gitsign does: a detached CMS SignedData in a PEM "SIGNED MESSAGE"
// block, with vs as Fulcio, timestamp authority and Rekor. Append the
// result to payload to get the signed object.
func MintGitsign(tb TB, vs *ca.VirtualSigstore, san, issuer string, payload []byte, o GitsignOpts) []byte {
	if h, ok := tb.(helper); ok {
		h.Helper()
	}
	if o.SignedPayload == nil {
		o.SignedPayload = payload
	}
	if o.Hash == 0 {
		o.Hash = crypto.SHA256
	}
	digestAlg, ok := digestOIDs[o.Hash]
	if !ok {
		tb.Fatalf("sigtest: unsupported hash %v", o.Hash)
	}
	h := o.Hash.New()
	h.Write(o.SignedPayload)
	attrs := derSetOf([][]byte{
		cmsAttr(tb, attrContentType, marshal(tb, cmsData)),
		cmsAttr(tb, attrSigningTime, marshal(tb, time.Now().UTC())),
		cmsAttr(tb, attrDigest, marshal(tb, h.Sum(nil))),
	})
	signedAttrs := constructed(tb, asn1.ClassUniversal, asn1.TagSet, attrs...)

	m := mintGitsignSignature(tb, vs, san, issuer, signedAttrs, &o)
	unsigned := gitsignUnsignedAttrs(tb, vs, m, o)
	return encodeGitsign(tb, m, digestAlg, attrs, unsigned, o.TwoSigners)
}

// gitsignSignature is the signing half of a minted gitsign signature: the
// leaf certificate, the signature over the signed attributes and its
// algorithm, the timestamp response and the Rekor entry.
type gitsignSignature struct {
	cert   *x509.Certificate
	sigVal []byte
	sigAlg asn1.ObjectIdentifier
	tsr    []byte
	entry  *tlog.Entry
}

// mintGitsignSignature signs signedAttrs as o asks: through the virtual
// Sigstore (as gitsign's offline mode has Rekor do), or by hand with another
// hash, CA or timestamp authority (which sets o.NoRekor).
func mintGitsignSignature(tb TB, vs *ca.VirtualSigstore, san, issuer string, signedAttrs []byte, o *GitsignOpts) gitsignSignature {
	var (
		cert   *x509.Certificate
		sigVal []byte
		tsr    []byte
		sigAlg = ecdsaOIDs[crypto.SHA256]
		entry  *tlog.Entry
	)
	certFrom, tsaFrom := vs, vs
	if o.CertFrom != nil {
		certFrom = o.CertFrom
	}
	if o.TSAFrom != nil {
		tsaFrom = o.TSAFrom
	}
	if !o.ByHand && o.Hash == crypto.SHA256 && o.CertFrom == nil {
		// VirtualSigstore signs the signed attributes, timestamps the
		// signature and logs a hashedrekord entry for it, as gitsign's
		// offline mode has Rekor do.
		sg := sign(tb, vs, san, issuer, signedAttrs)
		cert, sigVal, tsr, entry = sg.cert, sg.sig.Signature(), sg.timestamps[0], sg.entries[0]
	} else {
		c, key, err := certFrom.GenerateLeafCert(san, issuer)
		if err != nil {
			tb.Fatalf("sigtest: leaf certificate: %v", err)
		}
		cert = c
		d := o.Hash.New()
		d.Write(signedAttrs)
		switch k := key.(type) {
		case *ecdsa.PrivateKey:
			sigVal, err = ecdsa.SignASN1(rand.Reader, k, d.Sum(nil))
			sigAlg = ecdsaOIDs[o.Hash]
		case *rsa.PrivateKey:
			sigVal, err = rsa.SignPKCS1v15(rand.Reader, k, o.Hash, d.Sum(nil))
			sigAlg = rsaSHA256
		case ed25519.PrivateKey:
			sigVal, sigAlg = ed25519.Sign(k, signedAttrs), ed25519ID
		}
		if err != nil {
			tb.Fatalf("sigtest: signing by hand: %v", err)
		}
		if tsr, err = tsaFrom.TimestampResponse(sigVal); err != nil {
			tb.Fatalf("sigtest: timestamp: %v", err)
		}
		o.NoRekor = true
	}
	if o.TSAFrom != nil || o.TimestampOver != nil {
		over := sigVal
		if o.TimestampOver != nil {
			over = o.TimestampOver
		}
		var err error
		if tsr, err = tsaFrom.TimestampResponse(over); err != nil {
			tb.Fatalf("sigtest: timestamp: %v", err)
		}
	}
	if o.RekorFrom != nil {
		entry = sign(tb, vs, san, issuer, o.RekorFrom).entries[0]
	}

	return gitsignSignature{cert: cert, sigVal: sigVal, sigAlg: sigAlg, tsr: tsr, entry: entry}
}

// gitsignUnsignedAttrs are the unsigned attributes of the SignerInfo: the
// timestamp token and the Rekor entry, unless o leaves them out.
func gitsignUnsignedAttrs(tb TB, vs *ca.VirtualSigstore, m gitsignSignature, o GitsignOpts) [][]byte {
	var unsigned [][]byte
	if !o.NoTimestamp {
		// gitsign stores the TimeStampToken, not the whole response.
		var resp struct {
			Status asn1.RawValue
			Token  asn1.RawValue
		}
		if _, err := asn1.Unmarshal(m.tsr, &resp); err != nil {
			tb.Fatalf("sigtest: timestamp response: %v", err)
		}
		unsigned = append(unsigned, cmsAttr(tb, attrTimestamp, resp.Token.FullBytes))
	}
	if !o.NoRekor {
		unsigned = append(unsigned, cmsAttr(tb, attrRekorEntry, marshal(tb, rekorAttr(tb, vs, m.entry, o.InclusionProof))))
	}
	return unsigned
}

// encodeGitsign encodes the PEM "SIGNED MESSAGE" of a detached CMS
// SignedData with the SignerInfo of m (twice when twoSigners).
func encodeGitsign(tb TB, m gitsignSignature, digestAlg asn1.ObjectIdentifier, attrs, unsigned [][]byte, twoSigners bool) []byte {
	cert := m.cert
	issuerAndSerial := constructed(tb, asn1.ClassUniversal, asn1.TagSequence, cert.RawIssuer, marshal(tb, cert.SerialNumber))
	si := [][]byte{
		marshal(tb, 1),
		issuerAndSerial,
		marshal(tb, pkix.AlgorithmIdentifier{Algorithm: digestAlg}),
		constructed(tb, asn1.ClassContextSpecific, 0, attrs...),
		marshal(tb, pkix.AlgorithmIdentifier{Algorithm: m.sigAlg}),
		marshal(tb, m.sigVal),
	}
	if len(unsigned) > 0 {
		si = append(si, constructed(tb, asn1.ClassContextSpecific, 1, derSetOf(unsigned)...))
	}
	signerInfo := constructed(tb, asn1.ClassUniversal, asn1.TagSequence, si...)
	signerInfos := [][]byte{signerInfo}
	if twoSigners {
		signerInfos = append(signerInfos, signerInfo)
	}
	signedData := constructed(tb, asn1.ClassUniversal, asn1.TagSequence,
		marshal(tb, 1),
		constructed(tb, asn1.ClassUniversal, asn1.TagSet, marshal(tb, pkix.AlgorithmIdentifier{Algorithm: digestAlg})),
		constructed(tb, asn1.ClassUniversal, asn1.TagSequence, marshal(tb, cmsData)),
		constructed(tb, asn1.ClassContextSpecific, 0, cert.Raw),
		constructed(tb, asn1.ClassUniversal, asn1.TagSet, signerInfos...),
	)
	contentInfo := constructed(tb, asn1.ClassUniversal, asn1.TagSequence,
		marshal(tb, cmsSignedData), constructed(tb, asn1.ClassContextSpecific, 0, signedData))
	return pem.EncodeToMemory(&pem.Block{Type: "SIGNED MESSAGE", Bytes: contentInfo})
}

func marshal(tb TB, v any) []byte {
	b, err := asn1.Marshal(v)
	if err != nil {
		tb.Fatalf("sigtest: asn1: %v", err)
	}
	return b
}

// constructed encodes parts (DER each) inside a constructed element.
func constructed(tb TB, class, tag int, parts ...[]byte) []byte {
	return marshal(tb, asn1.RawValue{Class: class, Tag: tag, IsCompound: true, Bytes: bytes.Join(parts, nil)})
}

// cmsAttr encodes a CMS Attribute: the type and its SET of values.
func cmsAttr(tb TB, oid asn1.ObjectIdentifier, values ...[]byte) []byte {
	return constructed(tb, asn1.ClassUniversal, asn1.TagSequence, marshal(tb, oid), constructed(tb, asn1.ClassUniversal, asn1.TagSet, values...))
}

// derSetOf sorts DER elements as a SET OF requires.
func derSetOf(els [][]byte) [][]byte {
	els = slices.Clone(els)
	slices.SortFunc(els, bytes.Compare)
	return els
}

// rekorAttr is the serialized TransparencyLogEntry gitsign embeds: kind,
// log id, index, integrated time and inclusion promise, body cleared.
func rekorAttr(tb TB, vs *ca.VirtualSigstore, entry *tlog.Entry, withProof bool) []byte {
	tle := proto.Clone(entry.TransparencyLogEntry()).(*protorekor.TransparencyLogEntry)
	tle.KindVersion = &protorekor.KindVersion{Kind: "hashedrekord", Version: "0.0.1"}
	// Rekor logs the RFC 8785 form (types.CanonicalizeEntry);
	// VirtualSigstore keeps the plain json.Marshal one.
	tle.CanonicalizedBody = CanonicalJSON(tb, tle.CanonicalizedBody)
	tle.InclusionPromise = &protorekor.InclusionPromise{SignedEntryTimestamp: signEntry(tb, vs, tle)}
	if withProof {
		p, err := vs.GetInclusionProof(tle.CanonicalizedBody)
		if err != nil {
			tb.Fatalf("sigtest: inclusion proof: %v", err)
		}
		var hashes [][]byte
		for _, h := range p.Hashes {
			b, _ := hex.DecodeString(h)
			hashes = append(hashes, b)
		}
		rh, _ := hex.DecodeString(*p.RootHash)
		tle.InclusionProof = &protorekor.InclusionProof{
			LogIndex: *p.LogIndex, RootHash: rh, TreeSize: *p.TreeSize, Hashes: hashes,
			Checkpoint: &protorekor.Checkpoint{Envelope: *p.Checkpoint},
		}
	}
	tle.CanonicalizedBody = nil
	b, err := proto.Marshal(tle)
	if err != nil {
		tb.Fatalf("sigtest: rekor entry: %v", err)
	}
	return b
}

// CanonicalJSON re-encodes a JSON object of strings and objects in the
// RFC 8785 form: keys sorted, no insignificant space, no HTML escaping.
// That is enough for Rekor entry bodies, which hold no numbers; it is not
// a general RFC 8785 encoder.
func CanonicalJSON(tb TB, in []byte) []byte {
	if h, ok := tb.(helper); ok {
		h.Helper()
	}
	var v map[string]any
	if err := json.Unmarshal(in, &v); err != nil {
		tb.Fatalf("sigtest: canonical json: %v", err)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		tb.Fatalf("sigtest: canonical json: %v", err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}
