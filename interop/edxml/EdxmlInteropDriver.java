// vanban's driver for VNPT's EdXML102 library (our code; the jar is not part of vanban).
// Compiled at run time by interop/edxml/run.sh against the jar named by VANBAN_VNPT_EDXML_JAR.
//
//   read  PACKAGE OUTDIR        parse PACKAGE with VNPT's EdXmlParser; write each attachment's
//                               bytes to OUTDIR/<n>.bin; print one line per fact
//   write OUTFILE FILE...       build a package with VNPT's EdXmlBuilder holding FILE... as
//                               attachments (names = file names); copy it to OUTFILE
//   relay PACKAGE OUTFILE       what a hub built on this library does to a package it forwards:
//                               parse, append a TraceHeader (001.00.20.TT2), build again
//
// Output lines are "key<TAB>value..." so run.sh / check.py can compare without parsing Java.

import com.vnpt.xml.base.Content;
import com.vnpt.xml.base.attachment.Attachment;
import com.vnpt.xml.base.header.Header;
import com.vnpt.xml.base.header.Organization;
import com.vnpt.xml.base.header.SignReference;
import com.vnpt.xml.base.header.Signature;
import com.vnpt.xml.base.header.SignerInfo;
import com.vnpt.xml.base.header.TraceHeader;
import com.vnpt.xml.base.header.TraceHeaderList;
import com.vnpt.xml.ed.Ed;
import com.vnpt.xml.ed.builder.EdXmlBuilder;
import com.vnpt.xml.ed.header.Code;
import com.vnpt.xml.ed.header.DocumentType;
import com.vnpt.xml.ed.header.MessageHeader;
import com.vnpt.xml.ed.header.OtherInfo;
import com.vnpt.xml.ed.header.PromulgationInfo;
import com.vnpt.xml.ed.parser.EdXmlParser;

import java.io.File;
import java.io.FileInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

public class EdxmlInteropDriver {

    public static void main(String[] args) throws Exception {
        if (args.length >= 3 && args[0].equals("read")) {
            read(new File(args[1]), new File(args[2]));
        } else if (args.length >= 3 && args[0].equals("write")) {
            List<File> files = new ArrayList<>();
            for (int i = 2; i < args.length; i++) {
                files.add(new File(args[i]));
            }
            write(new File(args[1]), files);
        } else if (args.length >= 3 && args[0].equals("relay")) {
            relay(new File(args[1]), new File(args[2]));
        } else {
            System.err.println("usage: read PACKAGE OUTDIR | write OUTFILE FILE... | relay PACKAGE OUTFILE");
            System.exit(2);
        }
    }

    static void read(File pkg, File outDir) throws Exception {
        Ed ed;
        try (InputStream in = new FileInputStream(pkg)) {
            ed = EdXmlParser.getInstance().parse(in);
        }
        Header header = ed.getHeader();
        MessageHeader mh = (MessageHeader) header.getMessageHeader();
        System.out.println("from\t" + (mh.getFrom() == null ? "" : mh.getFrom().getOrganId()));
        System.out.println("subject\t" + mh.getSubject());
        System.out.println("document_id\t" + mh.getDocumentId());
        Signature sig = header.getSignature();
        if (sig == null) {
            System.out.println("signature\tnone");
        } else {
            String digest = "";
            String transforms = "";
            if (sig.getSignedInfo() != null && sig.getSignedInfo().getReference() != null) {
                for (SignReference ref : sig.getSignedInfo().getReference()) {
                    digest = ref.getDigestValue();
                    transforms = String.join(" ", ref.getTransforms() == null ? new ArrayList<String>() : ref.getTransforms());
                }
            }
            String cert = sig.getKeyInfo() == null || sig.getKeyInfo().getX509Data() == null
                    ? "" : sig.getKeyInfo().getX509Data().getX509Certificate();
            String c14n = sig.getSignedInfo() == null ? "" : sig.getSignedInfo().getCanonicalizationMethod();
            String method = sig.getSignedInfo() == null ? "" : sig.getSignedInfo().getSignatureMethod();
            System.out.println("signature\tvalue_chars=" + len(sig.getSignatureValue()) + "\tdigest=" + digest
                    + "\tcert_chars=" + len(cert) + "\tc14n=" + c14n + "\tmethod=" + method
                    + "\ttransforms=" + transforms);
        }
        outDir.mkdirs();
        List<Attachment> atts = ed.getAttachments() == null ? new ArrayList<Attachment>() : ed.getAttachments();
        int n = 0;
        for (Attachment att : atts) {
            File out = new File(outDir, n + ".bin");
            Files.copy(att.getContent().toPath(), out.toPath(), StandardCopyOption.REPLACE_EXISTING);
            byte[] data = Files.readAllBytes(out.toPath());
            System.out.println("attachment\t" + n + "\t" + att.getName() + "\t" + att.getContentType() + "\t"
                    + data.length + "\t" + sha256(data));
            n++;
        }
        ed.clean();
    }

    static void write(File outFile, List<File> files) throws Exception {
        Organization from = new Organization("000.00.00.H16", "UBND tỉnh Đắk Lắk", "UBND tỉnh Đắk Lắk",
                "Buôn Ma Thuột", "vanthu@daklak.gov.vn", "0262", "", "daklak.gov.vn");
        List<Organization> to = new ArrayList<>();
        to.add(new Organization("000.00.00.H41", "UBND tỉnh Nghệ An", "UBND tỉnh Nghệ An",
                "Vinh", "", "", "", ""));
        Date now = new Date();
        MessageHeader mh = new MessageHeader(from, to, new Code("15", "UBND-VP"),
                new PromulgationInfo("Buôn Ma Thuột", now), new DocumentType(1, "Công văn"),
                "Kiểm thử liên thông: gói tin do thư viện EdXML102 tạo", "",
                null, new SignerInfo("KT. CHỦ TỊCH", "Phó Chủ tịch", "Nguyễn Văn An"), now, null, null);
        mh.setDocumentId("000.00.00.H16,2026/01/15,15/UBND-VP");
        mh.setSteeringType(0);
        OtherInfo other = new OtherInfo();
        other.setPriority(0);
        mh.setOtherInfo(other);
        TraceHeaderList traces = new TraceHeaderList();
        traces.addTraceHeader(new TraceHeader("000.00.00.H16", now));
        Ed ed = new Ed();
        ed.setHeader(new Header(mh, traces));
        int n = 0;
        for (File f : files) {
            ed.addAttachment(new Attachment(String.valueOf(++n), f.getName(), "", f));
        }
        Content content = EdXmlBuilder.build(ed, outFile.getAbsoluteFile().getParent());
        Files.copy(content.getContent().toPath(), outFile.toPath(), StandardCopyOption.REPLACE_EXISTING);
        System.out.println("wrote\t" + outFile + "\t" + outFile.length());
    }

    static void relay(File pkg, File outFile) throws Exception {
        Ed ed;
        try (InputStream in = new FileInputStream(pkg)) {
            ed = EdXmlParser.getInstance().parse(in);
        }
        TraceHeaderList traces = ed.getHeader().getTraceHeaderList();
        if (traces == null) {
            traces = new TraceHeaderList();
            ed.getHeader().setTraceHeaderList(traces);
        }
        traces.addTraceHeader(new TraceHeader("001.00.20.TT2", new Date()));
        Content content = EdXmlBuilder.build(ed, outFile.getAbsoluteFile().getParent());
        Files.copy(content.getContent().toPath(), outFile.toPath(), StandardCopyOption.REPLACE_EXISTING);
        System.out.println("relayed\t" + outFile + "\t" + outFile.length());
    }

    static int len(String s) {
        return s == null ? 0 : s.trim().length();
    }

    static String sha256(byte[] data) throws Exception {
        StringBuilder hex = new StringBuilder();
        for (byte b : MessageDigest.getInstance("SHA-256").digest(data)) {
            hex.append(String.format("%02x", b));
        }
        return hex.toString();
    }
}
