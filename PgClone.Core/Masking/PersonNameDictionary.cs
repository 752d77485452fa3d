namespace PgClone.Core.Masking;

/// <summary>
/// Common given names and family names (English-speaking, European, Latin American, South and East Asian), for
/// discovery's person-name check. The lists are deliberately broad but skip given names that are everyday words
/// in product or status columns (no "Rose", "May", "Will", "Grace", "Hope", "Mark", "Bill"), because a
/// dictionary hit is the evidence a value is a person's name.
/// </summary>
internal static class PersonNameDictionary
{
    public static readonly HashSet<string> GivenNames = Load("""
        james mary robert patricia john jennifer michael linda david elizabeth william barbara richard susan joseph jessica
        thomas sarah charles karen christopher nancy daniel lisa matthew betty anthony margaret donald sandra steven ashley
        paul kimberly andrew emily joshua donna kenneth michelle kevin carol brian amanda george dorothy timothy melissa
        ronald deborah edward stephanie jason rebecca jeffrey sharon ryan laura jacob cynthia gary kathleen nicholas amy
        eric angela jonathan shirley stephen anna larry brenda justin pamela scott emma brandon nicole benjamin helen
        samuel samantha gregory katherine alexander christine frank debra patrick rachel raymond carolyn jack janet dennis
        catherine jerry maria tyler heather aaron diane jose ruth adam julie nathan olivia henry joyce douglas virginia
        zachary victoria peter kelly kyle lauren ethan christina walter joan noah evelyn jeremy judith christian megan
        keith andrea roger cheryl terry hannah gerald jacqueline harold martha sean gloria austin teresa carl ann arthur
        sara lawrence madison dylan frances jesse kathryn jordan janice bryan jean billy abigail joe alice bruce judy
        gabriel sophia logan denise albert marie willie diana alan danielle juan beverly wayne isabella elijah theresa
        randy natalie roy brittany vincent charlotte ralph marilyn eugene kayla russell alexis bobby lori mason sophie
        philip louise liam mia lucas ava oliver amelia harper evelyn aiden chloe elena sebastian zoe carter lily owen
        leah wyatt aria julian nora levi hazel isaac violet grayson aurora luke savannah hudson audrey lincoln brooklyn
        jayden bella leo claire eli skylar caleb lucy isaiah paisley hunter anna ezra caroline thomas genesis aubrey
        connor sadie colton piper adrian ruby xavier serenity jaxon eva ian naomi nolan elena josiah ariana cameron
        maya asher alyssa landon valentina dominic kennedy austin ivy everett madelyn miles hailey jace kinsley jason
        miguel carlos luis jorge pedro manuel francisco antonio alejandro javier diego rafael fernando ricardo eduardo
        sergio andres pablo raul mario roberto alberto enrique guillermo ramon hector oscar ruben gustavo julio arturo
        sofia camila lucia valeria martina isabel carmen rosa ana gabriela daniela paula laura andrea alejandra mariana
        fernanda veronica patricia adriana monica claudia silvia beatriz pilar elena cristina marta raquel nuria irene
        hans klaus jurgen wolfgang dieter uwe stefan andreas markus matthias tobias florian lukas jonas felix maximilian
        niklas leon moritz sebastian johannes katharina anja sabine petra monika ursula gisela ingrid birgit heike
        claudia susanne nadine jana lena lea johanna franziska julia svenja ines
        jean pierre michel philippe alain nicolas christophe francois laurent olivier frederic sebastien julien guillaume
        antoine mathieu vincent thierry bernard didier isabelle nathalie sylvie catherine valerie celine sandrine aurelie
        camille chloe manon mathilde amelie juliette margaux helene brigitte
        giuseppe giovanni marco luca alessandro matteo lorenzo andrea francesco stefano paolo roberto davide simone
        federico riccardo massimo fabio giulia francesca chiara alessia elisa federica silvia valentina sara martina
        rahul amit vijay sanjay rajesh sunil anil suresh ravi deepak arjun rohan vikram aditya karan priya anjali
        pooja neha kavita sunita anita deepika divya shreya ananya lakshmi meena aisha fatima omar ahmed mohammed
        muhammad ali hassan hussein ibrahim yusuf khalid tariq layla zainab amina mariam noor
        wei li ming jing hui lei jun hao yan xin mei ling chen yang hiroshi takashi kenji yuki haruto sakura yui
        aiko hana akira satoshi daisuke ji min seo hyun jin woo soo young eun
        olga ivan dmitri sergei alexei andrei nikolai vladimir natasha svetlana tatiana irina anastasia ekaterina
        piotr tomasz pawel krzysztof agnieszka katarzyna malgorzata magdalena
        erik lars anders nils sven bjorn ingrid astrid freya karin maja elsa linnea
        sean liam niamh aoife siobhan ciara padraig declan
        kwame kofi amara chinedu ngozi oluwaseun tunde yaw abena
        """);

    public static readonly HashSet<string> FamilyNames = Load("""
        smith johnson williams brown jones garcia miller davis rodriguez martinez hernandez lopez gonzalez wilson anderson
        thomas taylor moore jackson martin lee perez thompson white harris sanchez clark ramirez lewis robinson walker
        young allen king wright scott torres nguyen hill flores green adams nelson baker hall rivera campbell mitchell
        carter roberts gomez phillips evans turner diaz parker cruz edwards collins reyes stewart morris morales murphy
        cook rogers gutierrez ortiz morgan cooper peterson bailey reed kelly howard ramos kim cox ward richardson watson
        brooks chavez wood james bennett gray mendoza ruiz hughes price alvarez castillo sanders patel myers long ross
        foster jimenez powell jenkins perry russell sullivan bell coleman butler henderson barnes gonzales fisher vasquez
        simmons romero jordan patterson alexander hamilton graham reynolds griffin wallace moreno west cole hayes bryant
        herrera gibson ellis tran medina aguilar stevens murray ford castro marshall owens harrison fernandez mcdonald
        woods washington kennedy wells vargas henry chen freeman webb tucker guzman burns crawford olson simpson porter
        hunter gordon mendez silva shaw snyder mason dixon munoz hunt hicks holmes palmer wagner black robertson boyd
        rose stone salazar fox warren mills meyer rice schmidt garza daniels ferguson nichols stephens soto weaver ryan
        gardner payne grant dunn kelley spencer hawkins arnold pierce vazquez hansen peters santos hart bradley knight
        elliott cunningham duncan armstrong hudson carroll lane riley andrews alvarado ray delgado berry perkins hoffman
        johnston matthews pena richards contreras willis carpenter lawrence sandoval guerrero george chapman rios estrada
        ortega watkins greene nunez wheeler valdez harper burke larson santiago maldonado morrison franklin carlson
        austin dominguez carr lawson jacobs obrien lynch singh vega bishop montgomery oliver jensen harvey williamson
        gilbert dean sims espinoza howell li wong reid hanson le mccoy garrett burton fuller wang weber welch rojas
        lucas marquez fields park yang little banks padilla day walsh bowman schultz luna fowler mejia davidson acosta
        brewer may holland juarez newman pearson curtis cortez douglas schneider joseph barrett navarro figueroa keller
        avila wade molina stanley hopkins campos barnett bates chambers caldwell beck lambert miranda byrd craig ayala
        lowe frazier powers neal leonard gregory carrillo sutton fleming rhodes shelton schwartz norris jennings watts
        duran walters cohen mcdaniel moran parks steele vaughn becker holt deleon barker terry hale leon hail benson
        haynes horton miles lyons pham graves bush thornton wolfe warner cabrera mckinney mann zimmerman dawson lara
        fletcher page mccarthy love robles cervantes solis erickson reeves chang klein salinas fuentes baldwin daniel
        muller schmitt schneider fischer weber meyer wagner becker schulz hoffmann koch richter klein wolf schroder
        neumann schwarz braun zimmermann kruger hartmann lange werner krause lehmann kohler
        dubois durand leroy moreau simon laurent lefebvre michel garnier bertrand roux vincent fournier morel girard
        andre mercier dupont lambert bonnet francois martinez legrand
        rossi russo ferrari esposito bianchi romano colombo ricci marino greco bruno gallo conti costa giordano mancini
        rizzo lombardi moretti barbieri fontana santoro mariani rinaldi caruso ferrara
        kumar sharma gupta shah mehta joshi reddy rao iyer nair das bose chatterjee banerjee mukherjee verma agarwal
        khan ahmed hussain malik qureshi siddiqui
        wu zhang liu huang zhao zhou xu sun ma zhu hu guo lin he gao luo zheng liang xie tang han feng deng cao
        sato suzuki takahashi tanaka watanabe ito yamamoto nakamura kobayashi kato yoshida yamada sasaki
        choi jung kang cho yoon jang lim shin
        ivanov smirnov kuznetsov popov sokolov petrov volkov nowak kowalski wisniewski wojcik kaminski lewandowski
        andersson johansson karlsson nilsson eriksson larsson olsson persson svensson hansen jensen nielsen pedersen
        murphy kelly byrne walsh oconnor oneill doyle mccarthy gallagher doherty kennedy lynch quinn
        silva santos oliveira souza pereira costa rodrigues almeida nascimento lima araujo fernandes carvalho gomes
        okafor okonkwo adeyemi mensah boateng
        """);

    /// <summary>Family names that are also everyday words (colours, places, things): alone, they are not evidence of a person.</summary>
    public static readonly HashSet<string> CommonWords = Load("""
        brown green white black gray grey rose young king hill wood woods stone long day may love rice bell price page cook
        hunt park lane fox ford mills banks west little bush hall hunter mason carter cole ray gold silver sharp field fields
        marsh moon frost snow summer winter spring ball cross wells rivers lake ash chase dean grant hope joy major miles
        english french north south east church castle bishop judge knight porter cooper baker turner miller parker walker
        chambers powers holland london paris jordan austin dallas victoria georgia carolina virginia florida washington
        lincoln franklin jackson madison houston hudson chen li lee le kim may
        """);

    /// <summary>Courtesy titles and suffixes, which do not count as name tokens.</summary>
    public static readonly HashSet<string> Affixes = Load("mr mrs ms miss dr prof sir jr sr ii iii iv phd md");

    private static HashSet<string> Load(string words) =>
        words.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.OrdinalIgnoreCase);
}
